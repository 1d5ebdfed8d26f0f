import "./polyfillPromiseWithResolvers.js";
import {
  type JournaledRun,
  NonRetriableStepError,
  type RunJournal,
  type RunOutcome,
  type StepJobOutcome,
  serializeError,
  settleStepJob,
} from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import { InvocationAwaits } from "./InvocationAwaits.js";
import { isPausedOutcome } from "./pausedOutcome.js";
import type { PhaseboardRun, RestateRunInput } from "./phaseboardRun.js";
import { stepJobShard } from "./StepJobShard.js";
import { shardOf } from "./stepJobShards.js";

/** By name: `phaseboardRun` itself imports this file. */
const PHASEBOARD_RUN: Pick<PhaseboardRun, "name"> = { name: "PhaseboardRun" };

/**
 * Rejects with the signal's reason when it aborts first (pause-now, cancel). When Restate
 * cancels the invocation, `onCancel` runs before the rejection is seen, so the engine
 * treats it as the run's cancel (finally steps run, the run ends cancelled) and not as a
 * failed attempt to retry.
 */
function abortable<T>(
  promise: PromiseLike<T>,
  signal: AbortSignal,
  onCancel: () => void = () => {},
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        if (error instanceof restate.CancelledError) onCancel();
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The engine's {@link RunJournal} on a Restate invocation:
 *
 * - a script or agent attempt is a job for the run's worker: an awakeable, then a one-way
 *   `enqueue` to the worker's queue, then a wait on the awakeable. Nothing runs inside the
 *   invocation, so an hour-long agent is never cut off by the inactivity timeout (the
 *   invocation suspends while it waits), and a partition leader move replays the journal
 *   (the job was enqueued once) instead of starting the agent again;
 * - a function step's attempt runs here inside `ctx.run`: its outcome (success or the
 *   error, never thrown into Restate's retry loop) is one journal entry;
 * - `ctx.sleep` is a durable timer.
 *
 * Every entry's position is fixed by the engine's call order, which is the template's.
 */
export class RestateJournal implements RunJournal {
  /** Each sleep's wake-up time (journal clock), kept across a pause of this invocation. */
  private wakeAts = new Map<string, number>();

  constructor(
    private ctx: restate.WorkflowContext,
    private workerId: string,
    /** Called when Restate cancels the invocation: cancels the run in the engine. */
    private onCancel: () => void = () => {},
    /** The repository root on the worker's machine, for child runs and successors. */
    private projectPath = "",
    /** The invocation's one sequence of waits (see InvocationAwaits). */
    private awaits = new InvocationAwaits(),
    /** The arguments the server pinned for children and successors (see JournalRunHost). */
    private pinnedArgs = new Map<string, Record<string, unknown>>(),
    /** Called when a job answers "paused": pauses the run in the engine now. */
    private onPause: () => void = () => {},
  ) {}

  async attempt<T>(input: Parameters<RunJournal["attempt"]>[0]) {
    const { key, attempt, job, signal } = input;
    if (!job && input.hostCall) {
      // The body is one host call (ctx.sendSignal, the workspace steps), journaled itself
      // (see JournalRunHost): run as it is, never inside ctx.run, where the invocation's
      // awakeables cannot be awaited. The host's answer or error is the attempt's outcome.
      const local = input.local as () => Promise<Awaited<ReturnType<typeof input.local>>>;
      const outcome = await abortable(
        local().then(
          (result): StepJobOutcome => ({ ok: true, result }),
          (error: unknown): StepJobOutcome => {
            // Restate's cancel is the run's cancel, not a failed attempt (see abortable).
            if (error instanceof restate.CancelledError) throw error;
            return {
              ok: false,
              error: serializeError(error),
              ...(error instanceof NonRetriableStepError && { nonRetriable: true }),
            };
          },
        ),
        signal,
        this.onCancel,
      );
      return settleStepJob<T>(outcome);
    }
    if (!job) {
      const local = input.local as () => Promise<Awaited<ReturnType<typeof input.local>>>;
      const outcome = await abortable(
        this.awaits.wait(
          this.ctx.run<StepJobOutcome>(`${key} #${attempt}`, async () => {
            try {
              return { ok: true, result: await local() };
            } catch (error) {
              return {
                ok: false,
                error: serializeError(error),
                ...(error instanceof NonRetriableStepError && { nonRetriable: true }),
              };
            }
          }),
        ),
        signal,
        this.onCancel,
      );
      return settleStepJob<T>(outcome);
    }
    const awakeable = this.ctx.awakeable<StepJobOutcome>();
    // Straight to the run's shard of its worker's queue: the sends of one invocation to one
    // key arrive in order, so an abort or a pause never overtakes the job's enqueue.
    const shard = () => this.ctx.objectSendClient(stepJobShard, shardOf(this.workerId, job.runId));
    shard().enqueue({ id: awakeable.id, job });
    const cancelled = () => {
      // The worker stops the step's process group; then the engine runs `finally` steps.
      shard().abort({ id: awakeable.id });
      this.onCancel();
    };
    const outcome = await abortable(this.awaits.wait(awakeable.promise), signal, cancelled);
    if (isPausedOutcome(outcome)) {
      // A journaled answer, so a replay pauses at the same point. The run's other jobs
      // (parallel steps) stop too: pause-now in the engine abandons their answers.
      shard().pause({ runId: job.runId, now: true, hold: false });
      this.onPause();
      // The engine's pause aborted this step's signal: its reason sends the step back to pending.
      if (signal.aborted) throw signal.reason;
    }
    return settleStepJob<T>(outcome);
  }

  /**
   * A durable timer that ends when the sleep's first call said: a sleep interrupted by a
   * pause goes on, once resumed, with the time that was left (none when the pause outlasted
   * it), as on the local backend, whose wake-up time is absolute. The start is the
   * journal's clock (`ctx.date.now`), so a replay computes the same timers.
   */
  async sleep(key: string, ms: number, signal: AbortSignal): Promise<void> {
    const now = await this.awaits.wait(this.ctx.date.now());
    let wakeAt = this.wakeAts.get(key);
    if (wakeAt === undefined) {
      wakeAt = now + ms;
      this.wakeAts.set(key, wakeAt);
    }
    if (signal.aborted) throw signal.reason;
    await abortable(
      this.awaits.wait(this.ctx.sleep(Math.max(0, wakeAt - now), key)),
      signal,
      this.onCancel,
    );
  }

  /**
   * The child is a `PhaseboardRun` invocation of its own, keyed by its run id, on the same
   * worker; the call is a journal entry, so a replayed parent waits on the same child
   * (never a second one) and its outcome, once journaled, survives the parent's process.
   * Restate carries a cancel of the parent down to the child.
   */
  async child(input: JournaledRun & { parentRunId: string }): Promise<RunOutcome> {
    const childInput: RestateRunInput = {
      runId: input.runId,
      projectPath: this.projectPath,
      workdir: input.workdir,
      workerId: this.workerId,
      snapshot: input.snapshot,
      args: this.pinnedArgs.get(input.runId) ?? input.args,
      ...(input.bundle !== undefined && { bundle: input.bundle }),
      parentRunId: input.parentRunId,
    };
    try {
      return await this.awaits.wait(
        this.ctx.workflowClient<PhaseboardRun>(PHASEBOARD_RUN, input.runId).run(childInput),
      );
    } catch (error) {
      if (error instanceof restate.CancelledError) {
        this.onCancel();
        return { runId: input.runId, status: "cancelled" };
      }
      // A child that could not run at all (its pinned template does not load) failed.
      if (error instanceof restate.TerminalError) {
        return { runId: input.runId, status: "failed", error: serializeError(error) };
      }
      throw error;
    }
  }

  /** A one-way send: journaled, so a replayed end does not start a second successor. */
  continueAsNew(input: JournaledRun): void {
    const successor: RestateRunInput = {
      runId: input.runId,
      projectPath: this.projectPath,
      workdir: input.workdir,
      workerId: this.workerId,
      snapshot: input.snapshot,
      args: this.pinnedArgs.get(input.runId) ?? input.args,
      ...(input.bundle !== undefined && { bundle: input.bundle }),
    };
    this.ctx.workflowSendClient<PhaseboardRun>(PHASEBOARD_RUN, input.runId).run(successor);
  }
}
