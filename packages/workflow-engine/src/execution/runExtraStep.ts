import { emptyCheckpoint } from "../checkpoint/Checkpoint.js";
import { RunNotFoundError } from "../errors/RunNotFoundError.js";
import { StepRefusedError } from "../errors/StepRefusedError.js";
import { serializeError } from "../errors/serializeError.js";
import { runConfiguredStep } from "../steps/runConfiguredStep.js";
import type { RunStore } from "../store/RunStore.js";
import type { ExecutorOptions, ExtraStepHandle, ExtraStepInput } from "../types/executor.js";
import type { StepJob } from "../types/journal.js";
import type { AgentStepConfig, ScriptStepConfig, StepResult } from "../types/step.js";
import { DurableCall, type DurableRun } from "./durableCall.js";
import { durationToMs } from "./durationToMs.js";
import { runStepAttempts } from "./stepAttempts.js";
import { stepSummary } from "./stepSummary.js";

/**
 * A step of a run that its template does not have (a review follow-up), run like any step
 * of it: under the run's lease, with its log files, observer events (so usage and cost are
 * recorded), retries, timeout and the host's beforeAgentStep check. It is not recorded in
 * the checkpoint: the template never replays it.
 */
export function runExtraStep<T>(
  store: RunStore,
  options: ExecutorOptions,
  runId: string,
  input: ExtraStepInput<T>,
): ExtraStepHandle<T> {
  let markStarted!: () => void;
  let failStart!: (error: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failStart = reject;
  });
  started.catch(() => {});
  const done = (async (): Promise<StepResult<T>> => {
    if (!store.hasRun(runId)) throw new RunNotFoundError(`no execution directory for run ${runId}`);
    const lease = store.acquireLease(runId, options.workerId, options.staleAfterMs);
    try {
      return await execute(lease, markStarted);
    } finally {
      lease.release();
    }
  })();
  done.catch(failStart);

  async function execute(lease: { touch(): void }, onStarted: () => void): Promise<StepResult<T>> {
    const { key, config } = input;
    const observer = options.observer ?? {};
    const checkpoint = store.loadCheckpoint(runId)?.checkpoint ?? emptyCheckpoint(runId, "");
    // Outside the template: nothing to replay, no phase to enter, nothing recorded.
    const run: DurableRun = {
      runId,
      checkpoint,
      observer,
      memo: () => undefined,
      checkPhase: () => {},
      gate: () => undefined,
      enterPhase: async () => {},
      record: async () => false,
      logRef: (stepKey) => store.stepLog(runId, stepKey).ref,
      settle: () => {},
    };
    const host = options.host;
    if (config.type === "agent" && host?.beforeAgentStep) {
      const verdict = await host.beforeAgentStep({ runId, stepKey: key, agent: config.agent });
      if (verdict) throw new StepRefusedError(verdict.pause);
    }
    const { fn: _fn, ...stepInput } = config as typeof config & { fn?: unknown };
    const info = { type: config.type, name: config.name ?? key, phase: config.phase };
    const call = new DurableCall(run, key);
    const log = store.stepLog(runId, key);
    const emit = call.emitter(log);
    const controller = new AbortController();
    const stop = () => controller.abort(input.signal?.reason);
    if (input.signal?.aborted) stop();
    input.signal?.addEventListener("abort", stop, { once: true });
    const heartbeat = setInterval(() => lease.touch(), options.heartbeatIntervalMs ?? 5000);
    heartbeat.unref();
    let attempt = 1;
    try {
      await log.open({ stepKey: key, ...info, input: stepInput });
      const outcome = await runStepAttempts<T>({
        key,
        retry: config.retry,
        timeout: config.timeout,
        signal: controller.signal,
        emit,
        onAttempt: async (n) => {
          attempt = n;
          await call.announce(info, {
            attempt: n,
            ...(input.sequence !== undefined && { sequence: input.sequence }),
          });
          onStarted();
        },
        attempt: async (n, signal) => {
          const local = async () =>
            runConfiguredStep(config, {
              stepKey: key,
              attempt: n,
              signal,
              workdir: input.workdir ?? options.projectPath,
              env: await options.runEnvironment?.(runId),
              emit,
              processRecord: store.stepProcessFile?.(runId, key),
              killGraceMs: options.killGraceMs ?? 1000,
              runAgent: options.runAgent,
              declaredAgents: options.declaredAgents,
              ...(input.resumeSessionId !== undefined && {
                resumeSessionId: input.resumeSessionId,
              }),
            });
          const journal = options.journal;
          if (!journal || (config.type !== "script" && config.type !== "agent")) return local();
          // A durable engine's worker runs it where the run's worktree is (see RunJournal).
          const job: StepJob = {
            type: config.type,
            config: stepInput as AgentStepConfig | ScriptStepConfig,
            runId,
            stepKey: key,
            attempt: n,
            workdir: input.workdir ?? options.projectPath,
            ...(config.timeout !== undefined && { timeoutMs: durationToMs(config.timeout) }),
            ...(input.resumeSessionId !== undefined && { resumeSessionId: input.resumeSessionId }),
          };
          return journal.attempt<T>({ key, attempt: n, job, local, signal });
        },
      });
      const result: StepResult<T> = outcome.ok
        ? { stepId: key, status: "completed", data: outcome.success.data }
        : { stepId: key, status: "failed", error: serializeError(outcome.error) };
      await log.close(result, stepSummary(key, info, result, outcome.attempt));
      await call.report(
        result,
        outcome.attempt,
        result.status,
        outcome.ok ? outcome.success.agentSession : undefined,
      );
      return result;
    } catch (error) {
      // Stopped from outside (the host is shutting down): the step ends cancelled.
      const cancelled: StepResult<T> = {
        stepId: key,
        status: "failed",
        error: serializeError(error),
      };
      await log.close(cancelled, stepSummary(key, info, cancelled, attempt));
      await call.report(cancelled, attempt, "cancelled");
      return cancelled;
    } finally {
      clearInterval(heartbeat);
      input.signal?.removeEventListener("abort", stop);
    }
  }

  return { runId, stepKey: input.key, started, done };
}
