import type { Run } from "../api/types";

const NEVER_COMPLETES = new Set(["failed", "cancelled"]);

/**
 * The runs a run may be set to start after, matching `query` (case-insensitive, on the
 * name): not archived, not failed or cancelled (they can never complete), not excluded.
 * Newest first, as the board lists them.
 */
export function linkableRuns(
  runs: readonly Run[],
  query: string,
  exclude: readonly string[] = [],
): Run[] {
  const needle = query.trim().toLocaleLowerCase();
  return runs
    .filter(
      (run) =>
        !run.archived_at &&
        !NEVER_COMPLETES.has(run.status) &&
        !exclude.includes(run.id) &&
        (needle === "" || (run.name ?? "").toLocaleLowerCase().includes(needle)),
    )
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}
