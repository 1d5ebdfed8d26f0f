import type { Run } from "../api/types";
import { DONE, QUEUED } from "./boardColumns";

export type DropDecision =
  | { kind: "reorder" }
  | { kind: "rewind"; phase: string }
  | { kind: "refuse"; reason: string }
  | { kind: "none" };

/**
 * What dropping a card on a column means. Runs move forward on their own as steps finish;
 * a person may only reorder a column or send a run back to an earlier phase (a rewind).
 */
export function dropRule(
  run: Run,
  fromColumn: string,
  toColumn: string,
  phases: readonly string[],
): DropDecision {
  if (fromColumn === toColumn) return { kind: "reorder" };
  if (toColumn === QUEUED) {
    return { kind: "refuse", reason: "A run that has started cannot go back to the queue." };
  }
  if (toColumn === DONE) {
    return { kind: "refuse", reason: "A run reaches Done by finishing its last step." };
  }
  const target = toColumn.replace(/^phase:/, "");
  if (fromColumn === QUEUED) {
    return {
      kind: "refuse",
      reason: "This run has not started yet: it enters its first phase on its own.",
    };
  }
  if (run.status === "pending") {
    return { kind: "refuse", reason: "This run has not started yet." };
  }
  const targetIndex = phases.indexOf(target);
  const currentIndex =
    fromColumn === DONE ? phases.length : phases.indexOf(fromColumn.replace(/^phase:/, ""));
  if (targetIndex === -1) return { kind: "none" };
  if (targetIndex > currentIndex) {
    return {
      kind: "refuse",
      reason: `Runs move forward on their own: drag a card back to an earlier phase to rerun from there, not ahead to “${target}”.`,
    };
  }
  return { kind: "rewind", phase: target };
}
