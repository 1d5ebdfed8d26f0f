import { NonRetriableStepError } from "../errors/NonRetriableStepError.js";
import { StepTimeoutError } from "../errors/StepTimeoutError.js";
import { deserializeError, serializeError } from "../errors/serializeError.js";
import type { StepJob, StepJobOutcome } from "../types/journal.js";
import { runAgentStep } from "./runAgentStep.js";
import { runScriptStep } from "./runScriptStep.js";
import type { StepAttempt, StepAttemptResult } from "./StepAttempt.js";

/** What the process running a job provides besides the job itself. */
export type StepJobRuntime = Omit<
  StepAttempt,
  "stepKey" | "attempt" | "workdir" | "resumeSessionId" | "signal"
> & { signal: AbortSignal };

/**
 * Runs one {@link StepJob} with the engine's own step runners, under the job's timeout,
 * and answers its outcome as data (never throws): what a worker completes back.
 *
 * @example
 * const outcome = await runStepJob(job, { signal, emit, killGraceMs: 1000, runAgent });
 */
export async function runStepJob(job: StepJob, runtime: StepJobRuntime): Promise<StepJobOutcome> {
  const controller = new AbortController();
  const forward = () => controller.abort(runtime.signal.reason);
  if (runtime.signal.aborted) forward();
  runtime.signal.addEventListener("abort", forward, { once: true });
  const timer =
    job.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new StepTimeoutError(`step "${job.stepKey}" timed out after ${job.timeoutMs}ms`),
            ),
          job.timeoutMs,
        );
  const attempt: StepAttempt = {
    ...runtime,
    stepKey: job.stepKey,
    attempt: job.attempt,
    workdir: job.workdir,
    signal: controller.signal,
    ...(job.resumeSessionId !== undefined && { resumeSessionId: job.resumeSessionId }),
    ...(job.env && { env: { ...runtime.env, ...job.env } }),
  };
  try {
    const result: StepAttemptResult =
      job.config.type === "agent"
        ? await runAgentStep(job.config, attempt)
        : await runScriptStep(job.config, attempt, {
            allowNonZeroExit: job.allowNonZeroExit === true,
          });
    return { ok: true, result };
  } catch (error) {
    return {
      ok: false,
      error: serializeError(error),
      ...(error instanceof NonRetriableStepError && { nonRetriable: true }),
    };
  } finally {
    clearTimeout(timer);
    runtime.signal.removeEventListener("abort", forward);
  }
}

/** The attempt's answer from its outcome: its result, or the error it failed with. */
export function settleStepJob<T>(outcome: StepJobOutcome): StepAttemptResult<T> {
  if (outcome.ok) return outcome.result as StepAttemptResult<T>;
  if (outcome.nonRetriable) {
    throw new NonRetriableStepError(outcome.error.message, {
      cause: deserializeError(outcome.error),
    });
  }
  throw deserializeError(outcome.error);
}
