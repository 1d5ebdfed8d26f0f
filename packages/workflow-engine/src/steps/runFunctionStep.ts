import type { FunctionStepConfig } from "../types/step.js";
import type { StepAttempt, StepAttemptResult } from "./StepAttempt.js";

/**
 * Runs a TypeScript function step. It cannot be killed, so an abort (pause-now, cancel,
 * timeout) rejects at once and the function is told through `signal`; whatever it
 * returns later is ignored.
 */
export async function runFunctionStep<T>(
  config: FunctionStepConfig<T>,
  attempt: StepAttempt,
): Promise<StepAttemptResult<T>> {
  const { signal } = attempt;
  if (signal.aborted) throw signal.reason;
  const running = Promise.resolve().then(() => {
    // Aborted while queued (a sibling's pause-now): do not start the side effect at all.
    if (signal.aborted) throw signal.reason;
    return config.fn({
      stepId: attempt.stepKey,
      attempt: attempt.attempt,
      signal,
      log: (message) => attempt.emit({ kind: "log", text: message }),
    });
  });
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  // Keep an unobserved late rejection from crashing the process.
  running.catch(() => {});
  aborted.catch(() => {});
  return { data: await Promise.race([running, aborted]) };
}
