import type { Run } from "../api/types";

export const QUEUED = "__queued";
export const DONE = "__done";

export interface BoardColumn {
  id: string;
  title: string;
  /** The phase a card in this column is in; undefined for Queued and Done. */
  phase?: string;
  runs: Run[];
}

/**
 * Which column a run's card sits in: Queued until it reaches a phase, Done once completed,
 * else its current phase. A failed, paused or cancelled run stays where it stopped, so
 * the board shows where work broke off.
 */
export function columnIdOf(run: Run, phases: readonly string[]): string {
  if (run.status === "completed") return DONE;
  if (!run.current_phase || !phases.includes(run.current_phase)) return QUEUED;
  if (run.status === "pending" || run.status === "blocked") return QUEUED;
  return `phase:${run.current_phase}`;
}

/** Fractional-index keys order by plain code-unit comparison, not by locale. */
export function comparePositions(a: Run, b: Run): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0;
}

/** The board of one template: Queued, one column per phase, Done; cards in position order. */
export function buildBoardColumns(runs: readonly Run[], phases: readonly string[]): BoardColumn[] {
  const columns: BoardColumn[] = [
    { id: QUEUED, title: "Queued", runs: [] },
    ...phases.map((phase) => ({ id: `phase:${phase}`, title: phase, phase, runs: [] as Run[] })),
    { id: DONE, title: "Done", runs: [] },
  ];
  const byId = new Map(columns.map((column) => [column.id, column]));
  for (const run of runs) byId.get(columnIdOf(run, phases))?.runs.push(run);
  for (const column of columns) column.runs.sort(comparePositions);
  return columns;
}
