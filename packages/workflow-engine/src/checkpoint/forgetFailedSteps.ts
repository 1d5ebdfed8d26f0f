import type { Checkpoint } from "./Checkpoint.js";

/**
 * Resuming a failed run tries again what failed: every memoized failed step result (a step
 * that recorded its failure, as YAML steps and `continueOnError` steps do) is forgotten, so
 * the step runs again; completed steps keep their results and do not repeat. Returns the
 * keys it forgot.
 */
export function forgetFailedSteps(checkpoint: Checkpoint): string[] {
  const failed = Object.keys(checkpoint.step_results).filter(
    (key) => checkpoint.step_results[key]?.status === "failed",
  );
  if (failed.length === 0) return failed;
  const forgotten = new Set(failed);
  for (const key of failed) {
    delete checkpoint.step_results[key];
    delete checkpoint.step_meta[key];
    // What the failed steps took (a signal) is there to take again.
    delete checkpoint.signals_taken?.[key];
    delete checkpoint.pending.timers[key];
  }
  checkpoint.completed_step_ids = checkpoint.completed_step_ids.filter(
    (key) => !forgotten.has(key),
  );
  checkpoint.current_step_index = checkpoint.completed_step_ids.length;
  return failed;
}
