import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import type { RunStore, StoredSignal } from "../store/RunStore.js";

/** How many signals of `name` the memoized steps of this checkpoint have taken. */
export function signalCursor(checkpoint: Checkpoint, name: string): number {
  const taken = checkpoint.signals_taken ?? {};
  let count = 0;
  for (const key of checkpoint.completed_step_ids) {
    const entry = taken[key];
    if (entry) {
      count += entry[name] ?? 0;
      continue;
    }
    // Checkpoints written before signals_taken: a completed signal step took one.
    const meta = checkpoint.step_meta[key];
    if (meta?.type === "signal" && meta.name === name) {
      if (checkpoint.step_results[key]?.status === "completed") count += 1;
    }
  }
  return count;
}

/** The signals of `names` not taken yet, oldest first across the names. */
export function untakenSignals(
  store: RunStore,
  runId: string,
  checkpoint: Checkpoint,
  names: string[],
): StoredSignal[] {
  return names
    .flatMap((name) => store.signals(runId, name).slice(signalCursor(checkpoint, name)))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Remembers what the step `key` takes; saved with the step's result. */
export function noteTaken(
  checkpoint: Checkpoint,
  key: string,
  taken: Array<{ name: string }>,
): void {
  const counts: Record<string, number> = {};
  for (const signal of taken) counts[signal.name] = (counts[signal.name] ?? 0) + 1;
  checkpoint.signals_taken = { ...(checkpoint.signals_taken ?? {}), [key]: counts };
}
