import { NonRetriableStepError } from "../errors/NonRetriableStepError.js";
import { StepTimeoutError } from "../errors/StepTimeoutError.js";
import type { StepAttemptResult } from "../steps/StepAttempt.js";
import type { StepLogEvent } from "../types/observer.js";
import type { Duration, RetryPolicy } from "../types/step.js";
import { abortableDelay } from "./abortableDelay.js";
import { durationToMs } from "./durationToMs.js";
import { retryDelayMs } from "./retryDelayMs.js";

export interface StepAttemptsInput<T> {
  key: string;
  retry?: RetryPolicy | undefined;
  timeout?: Duration | undefined;
  /** The step's own controller: pause-now and cancel abort it, and end every attempt. */
  signal: AbortSignal;
  emit(event: Omit<StepLogEvent, "at">): void;
  /** Before each attempt (the observer hears onStepStarted with its number). */
  onAttempt(attempt: number): Promise<void>;
  attempt(attempt: number, signal: AbortSignal): Promise<StepAttemptResult<T>>;
}

export type StepAttemptsOutcome<T> =
  | { ok: true; success: StepAttemptResult<T>; attempt: number }
  | { ok: false; error: unknown; attempt: number };

/**
 * Runs a step's attempts: each under its timeout, retried with backoff until one succeeds,
 * a `NonRetriableStepError` is thrown, or the attempts are used up. An abort of `signal`
 * (pause-now, cancel) is not a failed attempt: its reason is thrown at once.
 */
export async function runStepAttempts<T>(
  input: StepAttemptsInput<T>,
): Promise<StepAttemptsOutcome<T>> {
  const attempts = Math.max(1, input.retry?.attempts ?? 1);
  const timeoutMs = input.timeout === undefined ? undefined : durationToMs(input.timeout);
  const { signal } = input;
  let lastError: unknown;
  let attempt = 0;
  for (attempt = 1; attempt <= attempts; attempt++) {
    await input.onAttempt(attempt);
    if (attempt > 1) input.emit({ kind: "system", text: `attempt ${attempt} started` });
    const attemptController = new AbortController();
    const forward = () => attemptController.abort(signal.reason);
    if (signal.aborted) forward();
    signal.addEventListener("abort", forward, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              attemptController.abort(
                new StepTimeoutError(`step "${input.key}" timed out after ${input.timeout}`),
              ),
            timeoutMs,
          );
    try {
      const output = await input.attempt(attempt, attemptController.signal);
      if (signal.aborted) throw signal.reason;
      return { ok: true, success: output, attempt };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      lastError = error;
      input.emit({ kind: "system", text: `attempt ${attempt} failed: ${String(error)}` });
      if (error instanceof NonRetriableStepError || attempt >= attempts) break;
      const wait = retryDelayMs(input.retry ?? { attempts }, attempt + 1);
      await abortableDelay(wait, signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", forward);
    }
  }
  return { ok: false, error: lastError, attempt: Math.min(attempt, attempts) };
}
