import { UnknownPhaseError } from "../errors/UnknownPhaseError.js";
import type { Checkpoint } from "./Checkpoint.js";

/**
 * Rewind's one rule, on a checkpoint in memory: keep the results of the steps of phases
 * before `phase`, drop the rest with what they took (signals) and what was in flight
 * (timers, children, agent sessions), and leave the run paused at `phase`. The local
 * executor applies it to the run folder's checkpoint; the restate backend to the one its
 * generation ended with. Mutates and answers `checkpoint`.
 *
 * @example
 * const cut = rewindCheckpoint(checkpoint, ["research", "implement"], "implement");
 */
export function rewindCheckpoint(
  checkpoint: Checkpoint,
  phases: readonly string[],
  phase: string,
): Checkpoint {
  const target = phases.indexOf(phase);
  if (target < 0) {
    throw new UnknownPhaseError(`cannot rewind to "${phase}": phases are ${phases.join(", ")}`);
  }
  const keep = checkpoint.completed_step_ids.filter((key) => {
    const meta = checkpoint.step_meta[key];
    return meta !== undefined && phases.indexOf(meta.phase) < target;
  });
  const kept = new Set(keep);
  for (const key of Object.keys(checkpoint.step_results)) {
    if (!kept.has(key)) {
      delete checkpoint.step_results[key];
      delete checkpoint.step_meta[key];
      // What the dropped steps took is there to take again.
      delete checkpoint.signals_taken?.[key];
    }
  }
  checkpoint.completed_step_ids = keep;
  checkpoint.current_step_index = keep.length;
  checkpoint.current_phase = phase;
  checkpoint.pending = { timers: {}, children: {}, agent_sessions: {} };
  checkpoint.status = "paused";
  delete checkpoint.result;
  delete checkpoint.error;
  delete checkpoint.continued_as;
  checkpoint.timestamp = new Date().toISOString();
  return checkpoint;
}
