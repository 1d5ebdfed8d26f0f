import { GitBranch, GitMerge, Send, Trash2 } from "lucide-react";
import { AlertDialog } from "radix-ui";
import { useCallback, useEffect, useMemo, useState } from "react";
import { parseDiff, type ViewType } from "react-diff-view";
import { useRunDiff } from "../api/queries";
import type { Run } from "../api/types";
import { Button } from "../ui/Button";
import { Skeleton } from "../ui/Skeleton";
import { FileDiff, filePath } from "./FileDiff";
import { PullRequestButton } from "./PullRequestButton";
import { type DraftComment, draftsInDiff, reviewBody, saveDraft } from "./reviewDraft";
import { type MergeMode, useReviewActions } from "./useReviewActions";

const VIEW_KEY = "phaseboard.diffView";

/**
 * The Review tab: what the run changed in its worktree against its base, file by file,
 * with line comments that go back to the agent as a follow-up, and Merge and Discard.
 */
export function ReviewPanel({ run }: { run: Run }) {
  const diff = useRunDiff(run.id);
  const { merge, discard, sendReview } = useReviewActions(run);
  const [viewType, setViewType] = useState<ViewType>(
    () => (localStorage.getItem(VIEW_KEY) as ViewType | null) ?? "unified",
  );
  const [drafts, setDrafts] = useState<DraftComment[]>([]);
  const [summary, setSummary] = useState("");
  const [confirm, setConfirm] = useState<"merge" | "discard" | null>(null);
  // The agent steps whose session a follow-up can resume, newest first (the default).
  const resumable = useMemo(
    () =>
      (run.steps ?? [])
        .filter((step) => step.type === "agent" && step.session)
        .sort((a, b) => (b.sequence ?? 0) - (a.sequence ?? 0)),
    [run.steps],
  );
  const [resumeStep, setResumeStep] = useState<string>("");
  const busy = run.status === "running" || run.status === "pending";

  const parsed = useMemo(
    () => (diff.data ? parseDiff(diff.data.patch, { nearbySequences: "zip" }) : []),
    [diff.data],
  );
  const stats = useMemo(
    () => new Map((diff.data?.files ?? []).map((file) => [file.path, file])),
    [diff.data],
  );
  // A refreshed diff may have lost a file: its comments could not be sent.
  useEffect(() => {
    if (diff.data) setDrafts((all) => draftsInDiff(all, new Set(parsed.map(filePath))));
  }, [diff.data, parsed]);

  const save = useCallback((draft: DraftComment) => setDrafts((all) => saveDraft(all, draft)), []);
  const remove = useCallback(
    (id: string) => setDrafts((all) => all.filter((draft) => draft.id !== id)),
    [],
  );
  const chooseView = (next: ViewType) => {
    setViewType(next);
    localStorage.setItem(VIEW_KEY, next);
  };

  if (diff.isPending) {
    return (
      <div className="flex flex-col gap-3 p-5" aria-busy="true">
        <Skeleton className="h-6 w-72" />
        <Skeleton className="h-48 w-full" />
      </div>
    );
  }
  if (diff.isError) {
    return (
      <p role="alert" className="p-5 text-sm text-muted">
        {diff.error.message}
      </p>
    );
  }
  const { files, branch, base_ref: baseRef } = diff.data;
  const additions = files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = files.reduce((sum, file) => sum + file.deletions, 0);

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-review-panel>
      <div className="flex shrink-0 flex-wrap items-center gap-3 border-b border-line px-5 py-2.5">
        <span className="inline-flex min-w-0 items-center gap-1.5 font-mono text-xs">
          <GitBranch aria-hidden className="size-3.5 text-muted" />
          <span className="truncate" title={branch}>
            {branch}
          </span>
          <span className="text-faint">→</span>
          <span>{baseRef}</span>
        </span>
        <span className="text-xs text-muted tabular-nums">
          {files.length === 1 ? "1 file" : `${files.length} files`} ·{" "}
          <span className="text-emerald-700 dark:text-emerald-400">+{additions}</span>{" "}
          <span className="text-red-700 dark:text-red-400">−{deletions}</span>
        </span>
        <fieldset className="ml-auto flex rounded-md border border-line-strong p-0.5 text-xs">
          <legend className="sr-only">Diff view</legend>
          {(["unified", "split"] as const).map((view) => (
            <label
              key={view}
              className={`cursor-pointer rounded px-2 py-0.5 ${viewType === view ? "bg-accent-soft font-medium text-accent" : "text-muted hover:text-ink"}`}
            >
              <input
                type="radio"
                name={`diff-view-${run.id}`}
                value={view}
                checked={viewType === view}
                onChange={() => chooseView(view)}
                className="sr-only"
              />
              {view === "unified" ? "Unified" : "Side by side"}
            </label>
          ))}
        </fieldset>
        <Button
          size="sm"
          variant="primary"
          disabled={busy || files.length === 0 || merge.isPending}
          title={busy ? "The run is still working in its worktree" : undefined}
          onClick={() => setConfirm("merge")}
        >
          <GitMerge aria-hidden className="size-3.5" /> Merge…
        </Button>
        <PullRequestButton run={run} busy={busy} />
        <Button
          size="sm"
          variant="ghost"
          className="text-danger"
          disabled={discard.isPending}
          onClick={() => setConfirm("discard")}
        >
          <Trash2 aria-hidden className="size-3.5" /> Discard…
        </Button>
      </div>
      {files.length === 0 ? (
        <p className="p-5 text-sm text-muted">
          No changes yet: the run's worktree is the same as {baseRef}. The diff refreshes after each
          step.
        </p>
      ) : (
        <div className="flex min-h-0 flex-1">
          <nav
            aria-label="Changed files"
            className="w-60 shrink-0 overflow-y-auto border-r border-line p-2"
          >
            <ul>
              {files.map((file, index) => (
                <li key={file.path}>
                  <a
                    href={`#diff-${run.id}-${index}`}
                    onClick={(event) => {
                      event.preventDefault();
                      document
                        .getElementById(`diff-${run.id}-${index}`)
                        ?.scrollIntoView({ block: "start" });
                    }}
                    className="flex items-center gap-2 rounded px-2 py-1 text-xs hover:bg-sunken"
                    title={file.path}
                  >
                    <span className="w-3 shrink-0 font-mono font-semibold text-muted">
                      {file.status}
                    </span>
                    <span className="min-w-0 flex-1 truncate text-left font-mono" dir="rtl">
                      {file.path}
                    </span>
                    {drafts.some((d) => d.path === file.path) ? (
                      <span
                        className="size-1.5 rounded-full bg-amber-500"
                        title="Has pending comments"
                      />
                    ) : null}
                    <span className="shrink-0 font-mono text-[10px] text-faint tabular-nums">
                      +{file.additions} −{file.deletions}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="min-w-0 flex-1 overflow-y-auto p-4">
            <p className="mb-3 text-xs text-muted">
              Click a line number to comment on that line. Comments stay pending until you send
              them; the agent then resumes its session in this worktree to address them.
            </p>
            {parsed.map((file, index) => {
              const path = filePath(file);
              const stat = stats.get(path);
              return (
                <FileDiff
                  key={`${file.oldRevision}-${file.newRevision}-${path}`}
                  anchorId={`diff-${run.id}-${index}`}
                  file={file}
                  status={stat?.status ?? "M"}
                  additions={stat?.additions ?? 0}
                  deletions={stat?.deletions ?? 0}
                  viewType={viewType}
                  drafts={drafts.filter((d) => d.path === path)}
                  onSave={save}
                  onDelete={remove}
                />
              );
            })}
          </div>
        </div>
      )}
      {drafts.length > 0 ? (
        <form
          className="flex shrink-0 items-end gap-3 border-t border-line bg-raised px-5 py-3"
          aria-label="Send review"
          onSubmit={(event) => {
            event.preventDefault();
            const target = resumable.find((step) => step.id === resumeStep);
            sendReview.mutate(
              { ...reviewBody(drafts, summary), ...(target && { step_id: target.id }) },
              {
                onSuccess: () => {
                  setDrafts([]);
                  setSummary("");
                },
              },
            );
          }}
        >
          <div className="min-w-0 flex-1">
            <label
              className="mb-1 block text-xs font-medium text-muted"
              htmlFor={`summary-${run.id}`}
            >
              {drafts.length === 1 ? "1 pending comment" : `${drafts.length} pending comments`} ·
              overall note (optional)
            </label>
            <textarea
              id={`summary-${run.id}`}
              rows={1}
              value={summary}
              onChange={(event) => setSummary(event.target.value)}
              placeholder="Anything that applies to the whole change"
              className="w-full resize-y rounded-md border border-line-strong bg-surface px-2 py-1.5 text-sm"
            />
          </div>
          {resumable.length > 1 ? (
            <div className="shrink-0">
              <label
                className="mb-1 block text-xs font-medium text-muted"
                htmlFor={`resume-${run.id}`}
              >
                Agent to resume
              </label>
              <select
                id={`resume-${run.id}`}
                value={resumeStep}
                onChange={(event) => setResumeStep(event.target.value)}
                className="h-8 max-w-56 rounded-md border border-line-strong bg-surface px-2 text-sm"
              >
                <option value="">Newest: {resumable[0]?.name}</option>
                {resumable.slice(1).map((step) => (
                  <option key={step.id} value={step.id}>
                    {step.name} ({step.session?.agent})
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <Button size="sm" variant="ghost" onClick={() => setDrafts([])}>
            Drop all
          </Button>
          <Button
            size="md"
            variant="primary"
            type="submit"
            disabled={busy || sendReview.isPending}
            title={busy ? "Send the review once the run pauses, waits or finishes" : undefined}
          >
            <Send aria-hidden className="size-3.5" /> Send to agent
          </Button>
        </form>
      ) : null}
      {confirm === "merge" ? (
        <MergeDialog
          run={run}
          branch={branch}
          baseRef={baseRef}
          onCancel={() => setConfirm(null)}
          onConfirm={(mode, message) => {
            merge.mutate({ mode, message });
            setConfirm(null);
          }}
        />
      ) : null}
      {confirm === "discard" ? (
        <AlertDialog.Root open onOpenChange={(open) => (open ? null : setConfirm(null))}>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
            <AlertDialog.Content className="fixed top-[20vh] left-1/2 z-50 w-full max-w-md -translate-x-1/2 rounded-xl border border-line bg-surface p-5 shadow-2xl">
              <AlertDialog.Title className="text-base font-semibold">
                Discard “{run.name}”?
              </AlertDialog.Title>
              <AlertDialog.Description className="mt-2 text-sm text-muted">
                The worktree and the branch <code className="font-mono text-ink">{branch}</code> are
                deleted and the run is archived. Its{" "}
                {files.length === 1 ? "change" : `${files.length} changed files`} cannot be
                recovered from Phaseboard.
              </AlertDialog.Description>
              <div className="mt-5 flex justify-end gap-2">
                <AlertDialog.Cancel asChild>
                  <Button>Keep the work</Button>
                </AlertDialog.Cancel>
                <AlertDialog.Action asChild>
                  <Button
                    variant="danger"
                    onClick={() => {
                      discard.mutate();
                      setConfirm(null);
                    }}
                  >
                    Discard
                  </Button>
                </AlertDialog.Action>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      ) : null}
    </div>
  );
}

function MergeDialog({
  run,
  branch,
  baseRef,
  onConfirm,
  onCancel,
}: {
  run: Run;
  branch: string;
  baseRef: string;
  onConfirm(mode: MergeMode, message: string): void;
  onCancel(): void;
}) {
  const [mode, setMode] = useState<MergeMode>("squash");
  const [message, setMessage] = useState(run.name);
  return (
    <AlertDialog.Root open onOpenChange={(open) => (open ? null : onCancel())}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <AlertDialog.Content className="fixed top-[18vh] left-1/2 z-50 w-full max-w-lg -translate-x-1/2 rounded-xl border border-line bg-surface p-5 shadow-2xl">
          <AlertDialog.Title className="text-base font-semibold">
            Merge into {baseRef}
          </AlertDialog.Title>
          <AlertDialog.Description className="mt-1 text-sm text-muted">
            Uncommitted work in the worktree is committed on{" "}
            <code className="font-mono text-ink">{branch}</code> first. The project's checkout must
            be on {baseRef} with no uncommitted changes.
          </AlertDialog.Description>
          <fieldset className="mt-4 flex flex-col gap-2 text-sm">
            <legend className="sr-only">How to merge</legend>
            <label className="flex items-start gap-2">
              <input
                type="radio"
                name="merge-mode"
                checked={mode === "squash"}
                onChange={() => setMode("squash")}
                className="mt-1"
              />
              <span>
                <strong>Squash</strong>
                <span className="block text-xs text-muted">
                  One new commit on {baseRef} with everything the run changed.
                </span>
              </span>
            </label>
            <label className="flex items-start gap-2">
              <input
                type="radio"
                name="merge-mode"
                checked={mode === "ff"}
                onChange={() => setMode("ff")}
                className="mt-1"
              />
              <span>
                <strong>Fast-forward</strong>
                <span className="block text-xs text-muted">
                  Move {baseRef} to the run's branch, keeping its commits; only when {baseRef} has
                  not moved on.
                </span>
              </span>
            </label>
          </fieldset>
          <label className="mt-4 block text-xs font-medium text-muted" htmlFor="merge-message">
            Commit message
          </label>
          <textarea
            id="merge-message"
            rows={3}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            className="mt-1 w-full resize-y rounded-md border border-line-strong bg-surface px-2 py-1.5 text-sm"
          />
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button>Cancel</Button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <Button
                variant="primary"
                disabled={!message.trim()}
                onClick={() => onConfirm(mode, message)}
              >
                <GitMerge aria-hidden className="size-3.5" />
                {mode === "squash" ? "Squash and merge" : "Fast-forward"}
              </Button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
