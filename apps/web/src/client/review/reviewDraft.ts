/** A line of a diff as react-diff-view describes it. */
export interface DiffChange {
  type: "insert" | "delete" | "normal";
  content: string;
  lineNumber?: number;
  oldLineNumber?: number;
  newLineNumber?: number;
}

/** Where a comment sits: the file, and the line on the side it was written on. */
export interface LineAnchor {
  path: string;
  line: number;
  /** `old`: a removed line (numbered as before the run); `new`: the run's version. */
  side: "old" | "new";
}

/** A comment written on the diff and not sent yet. */
export interface DraftComment extends LineAnchor {
  id: string;
  body: string;
}

/** The anchor of a line of the diff: removed lines by their old number, the rest by the new. */
export function anchorOf(path: string, change: DiffChange): LineAnchor {
  if (change.type === "delete") {
    return { path, line: change.lineNumber ?? 0, side: "old" };
  }
  if (change.type === "insert") {
    return { path, line: change.lineNumber ?? 0, side: "new" };
  }
  return { path, line: change.newLineNumber ?? 0, side: "new" };
}

/** The same key for the same line, whatever object the diff library built for it. */
export function anchorKey(anchor: LineAnchor): string {
  return `${anchor.side}:${anchor.line}:${anchor.path}`;
}

/** Adds a comment, or replaces the text of one with the same id. Empty text is no comment. */
export function saveDraft(drafts: readonly DraftComment[], draft: DraftComment): DraftComment[] {
  const body = draft.body.trim();
  const others = drafts.filter((d) => d.id !== draft.id);
  if (!body) return others;
  const index = drafts.findIndex((d) => d.id === draft.id);
  const saved = { ...draft, body };
  if (index === -1) return [...others, saved];
  const next = [...drafts];
  next[index] = saved;
  return next;
}

/** The body of `POST …/review`: the comments in file and line order. */
export function reviewBody(drafts: readonly DraftComment[], summary: string) {
  const comments = [...drafts]
    .sort((a, b) => (a.path === b.path ? a.line - b.line : a.path < b.path ? -1 : 1))
    .map(({ path, line, side, body }) => ({ path, line, side, body }));
  const text = summary.trim();
  return text ? { comments, summary: text } : { comments };
}

/**
 * The drafts that still point at a line of the diff: a new diff (after a follow-up or a
 * step) may no longer have the file, and a comment on a vanished file cannot be sent.
 */
export function draftsInDiff(
  drafts: readonly DraftComment[],
  paths: ReadonlySet<string>,
): DraftComment[] {
  return drafts.filter((d) => paths.has(d.path));
}
