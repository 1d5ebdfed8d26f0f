import type { Run } from "../api/types";

/** A card's dependencies, both ways, as runs the board holds. */
export interface RunLinks {
  /** The runs it waits for. */
  prerequisites: Run[];
  /** The runs waiting for it. */
  dependents: Run[];
}

/**
 * Every run's links, from the `after_ids` of the project's run list. A prerequisite the
 * list does not hold (archived, or on no page loaded) is left out rather than guessed.
 */
export function runLinks(runs: readonly Run[]): Map<string, RunLinks> {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const links = new Map<string, RunLinks>();
  const of = (id: string) => {
    let entry = links.get(id);
    if (!entry) {
      entry = { prerequisites: [], dependents: [] };
      links.set(id, entry);
    }
    return entry;
  };
  for (const run of runs) {
    for (const afterId of run.after_ids ?? []) {
      const prerequisite = byId.get(afterId);
      if (!prerequisite) continue;
      of(run.id).prerequisites.push(prerequisite);
      of(prerequisite.id).dependents.push(run);
    }
  }
  return links;
}

/** How a card stands to the card being hovered or focused, for the board to mark it. */
export type LinkRole = "focus" | "prerequisite" | "dependent";

/** The marks of the focused card's neighbourhood: itself, what it waits for, what waits for it. */
export function linkRoles(
  focusedId: string | null,
  links: ReadonlyMap<string, RunLinks>,
): Map<string, LinkRole> {
  const roles = new Map<string, LinkRole>();
  if (!focusedId) return roles;
  const entry = links.get(focusedId);
  if (!entry) return roles;
  for (const run of entry.prerequisites) roles.set(run.id, "prerequisite");
  for (const run of entry.dependents) roles.set(run.id, "dependent");
  roles.set(focusedId, "focus");
  return roles;
}

/**
 * Whether a run may still be told to wait for others: it has not started (blocked, or
 * queued and never started). The server decides; this only keeps the menu item honest.
 */
export function canWaitForOthers(run: Run): boolean {
  return run.status === "blocked" || (run.status === "pending" && !run.started_at);
}
