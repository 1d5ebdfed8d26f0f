import "react-diff-view/style/index.css";
import "./review.css";
import { MessageSquarePlus, Pencil, Trash2 } from "lucide-react";
import { type ReactNode, useMemo, useState } from "react";
import {
  type ChangeData,
  Decoration,
  Diff,
  type FileData,
  getChangeKey,
  Hunk,
  tokenize,
  type ViewType,
} from "react-diff-view";
import { Button } from "../ui/Button";
import { canHighlight, highlighter } from "./highlighter";
import { languageOf } from "./languageOf";
import {
  anchorKey,
  anchorOf,
  type DiffChange,
  type DraftComment,
  type LineAnchor,
} from "./reviewDraft";

/** Files bigger than this open folded: rendering tens of thousands of rows stalls the page. */
const FOLD_LINES = 1_500;

const STATUS_STYLE: Record<string, string> = {
  A: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  D: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  R: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  M: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
};

export function filePath(file: FileData): string {
  return file.type === "delete" ? file.oldPath : file.newPath;
}

/**
 * One file of the run's diff, unified or side by side, highlighted for its language. A
 * click on a line number opens a comment box under the line; comments not sent yet show
 * there too.
 */
export function FileDiff({
  file,
  status,
  additions,
  deletions,
  viewType,
  drafts,
  onSave,
  onDelete,
  anchorId,
}: {
  file: FileData;
  status: string;
  additions: number;
  deletions: number;
  viewType: ViewType;
  drafts: readonly DraftComment[];
  onSave(draft: DraftComment): void;
  onDelete(id: string): void;
  anchorId: string;
}) {
  const path = filePath(file);
  const changes = useMemo(() => file.hunks.flatMap((hunk) => hunk.changes), [file.hunks]);
  const [unfolded, setUnfolded] = useState(changes.length <= FOLD_LINES);
  const [editing, setEditing] = useState<{ anchor: LineAnchor; id?: string } | null>(null);
  const language = languageOf(path);
  const tokens = useMemo(() => {
    if (!unfolded || !canHighlight(language) || file.hunks.length === 0) return undefined;
    try {
      return tokenize(file.hunks, {
        highlight: true,
        // refractor 5's node types are wider than the ones react-diff-view names.
        refractor: highlighter as never,
        language,
      });
    } catch {
      return undefined; // Unhighlighted is better than no diff.
    }
  }, [file.hunks, language, unfolded]);

  // Each line's anchor, to find the line a comment belongs under.
  const changeKeyOf = useMemo(() => {
    const keys = new Map<string, string>();
    for (const change of changes) {
      keys.set(anchorKey(anchorOf(path, change as DiffChange)), getChangeKey(change));
    }
    return keys;
  }, [changes, path]);

  const widgets = useMemo(() => {
    const byKey = new Map<string, ReactNode[]>();
    const put = (anchor: LineAnchor, node: ReactNode) => {
      const key = changeKeyOf.get(anchorKey(anchor));
      if (!key) return;
      byKey.set(key, [...(byKey.get(key) ?? []), node]);
    };
    for (const draft of drafts) {
      if (editing?.id === draft.id) continue;
      put(
        draft,
        <DraftView
          key={draft.id}
          draft={draft}
          onEdit={() => setEditing({ anchor: draft, id: draft.id })}
          onDelete={() => onDelete(draft.id)}
        />,
      );
    }
    if (editing) {
      const current = drafts.find((d) => d.id === editing.id);
      put(
        editing.anchor,
        <CommentComposer
          key="composer"
          anchor={editing.anchor}
          initial={current?.body ?? ""}
          onCancel={() => setEditing(null)}
          onSave={(body) => {
            onSave({
              ...editing.anchor,
              id: editing.id ?? crypto.randomUUID(),
              body,
            });
            setEditing(null);
          }}
        />,
      );
    }
    return Object.fromEntries(
      [...byKey].map(([key, nodes]) => [key, <div key={key}>{nodes}</div>]),
    );
  }, [drafts, editing, changeKeyOf, onDelete, onSave]);

  return (
    <section
      id={anchorId}
      className="mb-4 overflow-hidden rounded-lg border border-line bg-surface"
      data-diff-file={path}
    >
      <header className="sticky top-0 z-[1] flex items-center gap-2 border-b border-line bg-raised px-3 py-2">
        <span
          className={`inline-flex size-5 items-center justify-center rounded font-mono text-[11px] font-semibold ${STATUS_STYLE[status] ?? STATUS_STYLE.M}`}
          title={statusName(status)}
        >
          {status}
        </span>
        <span className="min-w-0 flex-1 truncate font-mono text-[13px]">
          {file.type === "rename" ? `${file.oldPath} → ${file.newPath}` : path}
        </span>
        <span className="font-mono text-xs text-emerald-700 tabular-nums dark:text-emerald-400">
          +{additions}
        </span>
        <span className="font-mono text-xs text-red-700 tabular-nums dark:text-red-400">
          −{deletions}
        </span>
      </header>
      {file.hunks.length === 0 ? (
        <p className="px-4 py-3 text-xs text-muted">
          {file.isBinary
            ? "A binary file: no lines to show."
            : "No line changes (a mode or rename only)."}
        </p>
      ) : !unfolded ? (
        <div className="flex items-center gap-3 px-4 py-3 text-xs text-muted">
          {changes.length.toLocaleString()} lines changed: folded so the page stays quick.
          <Button size="sm" onClick={() => setUnfolded(true)}>
            Show the diff
          </Button>
        </div>
      ) : (
        <Diff
          className="pb-diff"
          viewType={viewType}
          diffType={file.type}
          hunks={file.hunks}
          tokens={tokens ?? null}
          widgets={widgets}
          gutterEvents={{
            onClick: ({ change }: { change: ChangeData | null }) => {
              if (change) setEditing({ anchor: anchorOf(path, change as DiffChange) });
            },
          }}
        >
          {(hunks) =>
            hunks.flatMap((hunk) => [
              <Decoration key={`decoration-${hunk.content}`}>{hunk.content}</Decoration>,
              <Hunk key={`hunk-${hunk.content}`} hunk={hunk} />,
            ])
          }
        </Diff>
      )}
    </section>
  );
}

function statusName(status: string): string {
  return (
    { A: "Added", D: "Deleted", R: "Renamed", M: "Modified", C: "Copied" }[status] ?? "Changed"
  );
}

function CommentComposer({
  anchor,
  initial,
  onSave,
  onCancel,
}: {
  anchor: LineAnchor;
  initial: string;
  onSave(body: string): void;
  onCancel(): void;
}) {
  const [body, setBody] = useState(initial);
  const label = `Comment on ${anchor.path} ${anchor.side === "old" ? "removed line" : "line"} ${anchor.line}`;
  return (
    <form
      className="border-y border-line bg-canvas p-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (body.trim()) onSave(body);
      }}
    >
      <label
        className="mb-1 block text-xs font-medium text-muted"
        htmlFor={`composer-${anchorKey(anchor)}`}
      >
        {label}
      </label>
      <textarea
        id={`composer-${anchorKey(anchor)}`}
        // biome-ignore lint/a11y/noAutofocus: the box opens because the user asked to write in it.
        autoFocus
        rows={3}
        value={body}
        placeholder="What should the agent change here?"
        onChange={(event) => setBody(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
          if (event.key === "Enter" && (event.metaKey || event.ctrlKey) && body.trim())
            onSave(body);
        }}
        className="w-full resize-y rounded-md border border-line-strong bg-surface px-2 py-1.5 font-sans text-sm"
      />
      <div className="mt-2 flex items-center justify-end gap-2">
        <span className="mr-auto text-[11px] text-faint">⌘/Ctrl+Enter to add · Esc to cancel</span>
        <Button size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button size="sm" variant="primary" type="submit" disabled={!body.trim()}>
          <MessageSquarePlus aria-hidden className="size-3.5" />
          {initial ? "Save comment" : "Add comment"}
        </Button>
      </div>
    </form>
  );
}

function DraftView({
  draft,
  onEdit,
  onDelete,
}: {
  draft: DraftComment;
  onEdit(): void;
  onDelete(): void;
}) {
  return (
    <div
      className="flex items-start gap-2 border-y border-line bg-amber-50 px-3 py-2 dark:bg-amber-950/40"
      data-draft-comment
    >
      <span className="mt-0.5 rounded bg-amber-200 px-1.5 py-0.5 text-[10px] font-semibold tracking-wide text-amber-900 uppercase dark:bg-amber-800 dark:text-amber-100">
        Pending
      </span>
      <p className="min-w-0 flex-1 font-sans text-sm whitespace-pre-wrap">{draft.body}</p>
      <button
        type="button"
        aria-label="Edit comment"
        onClick={onEdit}
        className="rounded p-1 text-muted hover:bg-sunken hover:text-ink"
      >
        <Pencil className="size-3.5" />
      </button>
      <button
        type="button"
        aria-label="Delete comment"
        onClick={onDelete}
        className="rounded p-1 text-muted hover:bg-sunken hover:text-danger"
      >
        <Trash2 className="size-3.5" />
      </button>
    </div>
  );
}
