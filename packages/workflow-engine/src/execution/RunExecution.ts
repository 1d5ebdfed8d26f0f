import type { Checkpoint, StepMeta } from "../checkpoint/Checkpoint.js";
import { emptyCheckpoint } from "../checkpoint/Checkpoint.js";
import { forgetFailedSteps } from "../checkpoint/forgetFailedSteps.js";
import { RunCancelledError } from "../errors/RunCancelledError.js";
import { StepFailedError } from "../errors/StepFailedError.js";
import { serializeError } from "../errors/serializeError.js";
import { TemplateChangedError } from "../errors/TemplateChangedError.js";
import { UnknownPhaseError } from "../errors/UnknownPhaseError.js";
import type { StepAttempt, StepAttemptResult } from "../steps/StepAttempt.js";
import type { RunLease, RunStore } from "../store/RunStore.js";
import type { WorkflowDefinition } from "../types/definition.js";
import type { ExecutorOptions, RunHandle, RunOutcome } from "../types/executor.js";
import type { StepJob } from "../types/journal.js";
import type { RunObserver } from "../types/observer.js";
import type { Duration, StepConfig, StepResult, StepType } from "../types/step.js";
import { createRunContext } from "./createRunContext.js";
import { type DurableRun, durableCall } from "./durableCall.js";
import { durationToMs } from "./durationToMs.js";
import {
  Interrupt,
  initialRunControl,
  type RunControlAction,
  type RunControlState,
  reduceRunControl,
  type Suspension,
} from "./RunControl.js";
import { signalCursor } from "./signalCursor.js";
import { runStepAttempts } from "./stepAttempts.js";
import { stepSummary } from "./stepSummary.js";

/** What a run needs from the executor that owns it (child runs, continuations). */
export interface RunOwner {
  options: ExecutorOptions;
  store: RunStore;
  startOrResumeChild(
    runId: string,
    definition: WorkflowDefinition,
    input: {
      snapshot: unknown;
      bundle?: string | undefined;
      args: Record<string, unknown>;
      workdir: string;
      parentRunId: string;
    },
  ): RunHandle;
  startContinuation(runId: string, args: Record<string, unknown>, from: RunExecution): void;
}

export const NEVER = new Promise<never>(() => {});

/** What a step does once its attempt is ready to run, and the policy around it. */
export interface StepSpec<T> {
  key: string;
  info: { type: StepType; name: string; phase: string; input: unknown };
  policy: {
    retry?: StepConfig["retry"];
    timeout?: Duration;
    continueOnError?: boolean;
    skip?: StepConfig["skip"];
  };
  attempt: (attempt: StepAttempt) => Promise<StepAttemptResult<T>>;
  /** The step as a job another process can run (script and agent steps). */
  job?: Pick<StepJob, "type" | "config" | "allowNonZeroExit">;
  /**
   * A function step whose body is one call of the executor's host (`ctx.sendSignal`, the
   * workspace steps): a journal may record the host call's answer as the attempt's outcome
   * instead of running the body inside its own side-effect record (see RunJournal.attempt).
   */
  hostCall?: boolean;
}

/**
 * One run held by this process: its lifecycle, its checkpoint, and the control (pause,
 * cancel) over it. The context API a template drives is built by `createRunContext`;
 * every memoized ctx call goes through `durableCall`; a step's attempts through
 * `runStepAttempts`. Rules in ../../ARCHITECTURE.md; the short version: a completed step
 * is in the checkpoint before anyone hears of it, a suspended run leaves its pending ctx
 * calls unsettled forever (so no template code runs after pause), a cancelled run throws
 * RunCancelledError out of the pending call (so `finally` blocks run).
 */
export class RunExecution implements DurableRun {
  readonly done: Promise<RunOutcome>;
  /** Why the run paused itself (the host's beforeAgentStep answer). */
  pauseReason: string | undefined;
  checkpoint!: Checkpoint;
  readonly store: RunStore;
  readonly observer: RunObserver;
  private lease: RunLease | undefined;
  private control: RunControlState = initialRunControl;
  private inFlight = new Set<AbortController>();
  /** Waits that are not work (sleep, child run): every pause interrupts them, not only `now`. */
  private waits = new Set<AbortController>();
  readonly children = new Set<RunHandle>();
  private heartbeat: NodeJS.Timeout | undefined;
  private finishSuspended!: () => void;
  private continuedAs: string | undefined;
  /** Settles when every checkpoint write started so far has. */
  private writes: Promise<void> = Promise.resolve();
  private continuationArgs: Record<string, unknown> | undefined;
  /** The first phase is announced once per execution, even when it is the checkpoint's. */
  private phaseAnnounced = false;

  constructor(
    readonly runId: string,
    readonly definition: WorkflowDefinition,
    readonly args: Record<string, unknown>,
    readonly workdir: string,
    readonly owner: RunOwner,
  ) {
    this.observer = owner.options.observer ?? {};
    this.store = owner.store;
    const suspended = new Promise<void>((resolve) => {
      this.finishSuspended = resolve;
    });
    this.done = this.drive(suspended);
  }

  // ── control ────────────────────────────────────────────────────────────────

  private dispatch(action: RunControlAction): void {
    this.control = reduceRunControl(this.control, action);
  }

  pause(now: boolean): void {
    if (this.control.stopped) return;
    this.dispatch({ type: "pause" });
    if (now) this.abortInFlight(new Interrupt("paused"));
    else for (const wait of this.waits) wait.abort(new Interrupt("paused"));
    for (const child of this.children) void child.pause({ now });
    this.settle();
  }

  cancel(): void {
    if (this.control.stopped || this.control.cancelRequested) return;
    const delivered = this.inFlight.size > 0;
    this.dispatch({ type: "cancel", delivered });
    if (delivered) this.abortInFlight(new RunCancelledError(`run ${this.runId} was cancelled`));
    for (const child of this.children) void child.cancel();
  }

  /** Test seam: behave as if the process died now — nothing more is written. */
  crash(): void {
    if (this.control.stopped) return;
    this.dispatch({ type: "crash" });
    this.abortInFlight(new Interrupt("crashed"));
    this.stopHeartbeat();
    // Writes already handed to the OS land (or not) in a real crash before anyone could
    // resume; waiting for them keeps the next executor from racing this one's files.
    void this.writes.then(() => {
      this.lease?.release();
      this.finishSuspended();
    });
  }

  private abortInFlight(reason: unknown): void {
    for (const controller of this.inFlight) controller.abort(reason);
  }

  get crashed(): boolean {
    return this.control.suspension === "crashed";
  }

  get cancelRequested(): boolean {
    return this.control.cancelRequested;
  }

  /** Suspends once nothing is in flight: pending steps finish and checkpoint first. */
  settle(): void {
    if (this.control.stopped || this.inFlight.size > 0) return;
    this.dispatch({ type: "settle" });
    if (this.control.suspension) this.finishSuspended();
  }

  /** Parks the calling ctx call forever and lets `done` resolve with the suspension. */
  suspend(reason: Suspension): Promise<never> {
    this.dispatch({ type: "suspend", reason });
    this.settle();
    return NEVER;
  }

  /** Runs before any real work: delivers a cancel, honours a pause. */
  gate(): Promise<never> | undefined {
    const { suspension, pauseRequested, cancelRequested, cancelUndelivered } = this.control;
    if (suspension === "crashed") return NEVER;
    if (cancelUndelivered) {
      this.dispatch({ type: "cancelDelivered" });
      throw new RunCancelledError(`run ${this.runId} was cancelled`);
    }
    if (suspension || (pauseRequested && !cancelRequested)) {
      return this.suspend(suspension ?? "paused");
    }
    return undefined;
  }

  /** Registers work in flight, so pause-now and cancel reach it (`waits`: any pause does). */
  hold(controller: AbortController, options: { wait?: boolean } = {}): () => void {
    this.inFlight.add(controller);
    if (options.wait) this.waits.add(controller);
    return () => {
      this.inFlight.delete(controller);
      this.waits.delete(controller);
    };
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────

  private async drive(suspended: Promise<void>): Promise<RunOutcome> {
    // Setup errors (locked, unreadable checkpoint) reject `done`: the run never started.
    const options = this.owner.options;
    this.lease = this.store.acquireLease(this.runId, options.workerId, options.staleAfterMs);
    try {
      const loaded = this.store.loadCheckpoint(this.runId);
      for (const skip of loaded?.skipped ?? []) {
        await this.observer.onWarning?.({
          runId: this.runId,
          code: "CHECKPOINT_SKIPPED",
          message: `skipped unreadable checkpoint ${skip.file} (${skip.reason}); resuming from the previous one`,
        });
      }
      this.checkpoint =
        loaded?.checkpoint ?? emptyCheckpoint(this.runId, this.definition.phases[0] ?? "");
    } catch (error) {
      this.lease.release();
      throw error;
    }
    const previous = this.checkpoint.status;
    if (previous === "completed" || previous === "cancelled") {
      this.lease.release();
      this.dispatch({ type: "stop" });
      return {
        runId: this.runId,
        status: previous,
        result: this.checkpoint.result,
        ...(this.checkpoint.continued_as ? { continuedAs: this.checkpoint.continued_as } : {}),
      };
    }
    // A failed run that is resumed tries the steps that failed again.
    if (previous === "failed") forgetFailedSteps(this.checkpoint);
    delete this.checkpoint.error;
    this.checkpoint.status = "running";
    try {
      await this.save();
      await this.observer.onRunStatus?.({ runId: this.runId, status: "running" });
    } catch (error) {
      // Never leave a lock behind for a run that did not start.
      this.dispatch({ type: "stop" });
      this.lease.release();
      throw error;
    }
    this.startHeartbeat();

    type Ended = { kind: "settled"; ok: boolean; value: unknown } | { kind: "suspended" };
    const executing: Promise<Ended> = Promise.resolve()
      .then(() => this.definition.execute(createRunContext(this)))
      .then(
        (value) => ({ kind: "settled" as const, ok: true, value }),
        (value: unknown) => ({ kind: "settled" as const, ok: false, value }),
      );
    const ended = await Promise.race([
      executing,
      suspended.then((): Ended => ({ kind: "suspended" })),
    ]);
    return this.finish(ended);
  }

  private async finish(
    ended: { kind: "settled"; ok: boolean; value: unknown } | { kind: "suspended" },
  ): Promise<RunOutcome> {
    this.dispatch({ type: "stop" });
    this.stopHeartbeat();
    if (this.crashed) {
      return { runId: this.runId, status: "paused" };
    }
    const suspension = this.control.suspension;
    let outcome: RunOutcome;
    if (this.continuedAs) {
      outcome = { runId: this.runId, status: "completed", continuedAs: this.continuedAs };
    } else if (this.control.cancelRequested) {
      outcome = { runId: this.runId, status: "cancelled" };
    } else if (ended.kind === "suspended") {
      outcome = { runId: this.runId, status: suspension === "waiting" ? "waiting" : "paused" };
      if (suspension !== "waiting" && this.pauseReason) outcome.pauseReason = this.pauseReason;
      const deadlines = Object.values(this.checkpoint.pending.timers).sort();
      if (suspension === "waiting" && deadlines[0]) outcome.wakeAt = deadlines[0];
    } else if (ended.ok) {
      outcome = { runId: this.runId, status: "completed", result: ended.value };
    } else {
      outcome = { runId: this.runId, status: "failed", error: serializeError(ended.value) };
    }
    this.checkpoint.status = outcome.status;
    if (outcome.result !== undefined) this.checkpoint.result = outcome.result;
    if (outcome.error) this.checkpoint.error = outcome.error;
    if (outcome.continuedAs) this.checkpoint.continued_as = outcome.continuedAs;
    try {
      await this.save();
      await this.writes;
      if (outcome.continuedAs) this.passSignalsOn(outcome.continuedAs);
    } finally {
      this.lease?.release();
    }
    await this.observer.onRunStatus?.({
      runId: this.runId,
      status: outcome.status,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.result !== undefined ? { result: outcome.result } : {}),
    });
    if (this.continuedAs && this.checkpoint.continued_as) {
      this.owner.startContinuation(this.continuedAs, this.continuationArgs ?? {}, this);
    }
    return outcome;
  }

  /** Ends this execution as continued by `next`, which starts once this one is recorded. */
  continueAs(next: string, args: Record<string, unknown>): Promise<never> {
    this.continuedAs = next;
    this.continuationArgs = args;
    this.finishSuspended();
    return NEVER;
  }

  private startHeartbeat(): void {
    const beat = () => {
      this.lease?.touch();
      void Promise.resolve(
        this.observer.onHeartbeat?.({
          runId: this.runId,
          workerId: this.owner.options.workerId,
          at: new Date(),
        }),
      ).catch(() => {});
    };
    beat();
    this.heartbeat = setInterval(beat, this.owner.options.heartbeatIntervalMs ?? 5000);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Resolves false when nothing was written (the process is "dead"): announce nothing. */
  save(): Promise<boolean> {
    if (this.crashed) return Promise.resolve(false);
    this.checkpoint.timestamp = new Date().toISOString();
    // The store fixes the bytes now; the IO may overlap another write of this run.
    const job = this.store.writeCheckpoint(this.runId, this.checkpoint).then(() => true);
    this.writes = Promise.all([this.writes, job]).then(
      () => {},
      () => {},
    );
    return job;
  }

  // ── what a durable call needs ─────────────────────────────────────────────

  memo(key: string, type: StepType, name: string): StepResult | undefined {
    const result = this.checkpoint.step_results[key];
    if (!result) return undefined;
    const meta = this.checkpoint.step_meta[key];
    if (meta && (meta.type !== type || meta.name !== name)) {
      throw new TemplateChangedError(
        `template changed: step "${key}" was recorded as ${meta.type} "${meta.name}" but is now ${type} "${name}"`,
      );
    }
    return result;
  }

  checkPhase(phase: string): void {
    if (!this.definition.phases.includes(phase)) {
      throw new UnknownPhaseError(
        `phase "${phase}" is not one of the template's phases (${this.definition.phases.join(", ")})`,
      );
    }
  }

  async enterPhase(phase: string): Promise<void> {
    if (phase === this.checkpoint.current_phase && this.checkpoint.completed_step_ids.length > 0) {
      return;
    }
    if (phase === this.checkpoint.current_phase && this.phaseAnnounced) return;
    this.phaseAnnounced = true;
    this.checkpoint.current_phase = phase;
    await this.observer.onPhaseChanged?.({
      runId: this.runId,
      phase,
      stepIndex: this.checkpoint.completed_step_ids.length,
    });
  }

  async record(key: string, result: StepResult, meta: StepMeta): Promise<boolean> {
    const checkpoint = this.checkpoint;
    const { pending } = checkpoint;
    const before = {
      session: pending.agent_sessions[key],
      timer: pending.timers[key],
      child: pending.children[key],
      workdir: pending.child_workdirs?.[key],
    };
    checkpoint.step_results[key] = result;
    checkpoint.step_meta[key] = meta;
    checkpoint.completed_step_ids.push(key);
    checkpoint.current_step_index = checkpoint.completed_step_ids.length;
    delete pending.agent_sessions[key];
    delete pending.timers[key];
    delete pending.children[key];
    delete pending.child_workdirs?.[key];
    try {
      return await this.save();
    } catch (error) {
      // Not written, so not recorded: a later write (the run's end) must not carry it.
      delete checkpoint.step_results[key];
      delete checkpoint.step_meta[key];
      checkpoint.completed_step_ids = checkpoint.completed_step_ids.filter((id) => id !== key);
      checkpoint.current_step_index = checkpoint.completed_step_ids.length;
      if (before.session !== undefined) pending.agent_sessions[key] = before.session;
      if (before.timer !== undefined) pending.timers[key] = before.timer;
      if (before.child !== undefined) pending.children[key] = before.child;
      if (before.workdir !== undefined) {
        pending.child_workdirs = { ...pending.child_workdirs, [key]: before.workdir };
      }
      throw error;
    }
  }

  logRef(key: string): string {
    return this.store.stepLog(this.runId, key).ref;
  }

  get currentPhase(): string {
    return this.checkpoint.current_phase || this.definition.phases[0] || "";
  }

  /** A durable deadline: recorded once, so a restart keeps the original wake-up time. */
  async timer(key: string, duration: Duration): Promise<number> {
    const existing = this.checkpoint.pending.timers[key];
    if (existing) return Date.parse(existing);
    const wakeAt = Date.now() + durationToMs(duration);
    this.checkpoint.pending.timers[key] = new Date(wakeAt).toISOString();
    await this.save();
    return wakeAt;
  }

  // ── signals ───────────────────────────────────────────────────────────────

  /**
   * Moves the signals this run never took to its successor, keeping their arrival order,
   * so a signal sent between the template's last wait and its continueAsNew is the
   * successor's to take, not lost with this run. Each moves at most once: after a crash
   * midway the replayed finish moves the rest, and no signal is delivered twice. Signals
   * sent from now on go to the successor directly (WorkflowExecutor.signal reads
   * `continuation`).
   */
  private passSignalsOn(successorId: string): void {
    for (const name of this.store.signalNames(this.runId)) {
      const untaken = this.store
        .signals(this.runId, name)
        .slice(signalCursor(this.checkpoint, name));
      if (untaken.length > 0) this.store.moveSignals(this.runId, successorId, untaken);
    }
  }

  /** Where signals sent to this run go instead: its successor, once it continued as new. */
  get continuation(): string | undefined {
    return this.checkpoint.continued_as;
  }

  // ── one durable step ───────────────────────────────────────────────────────

  /** A step (script, function, agent, exec) through the durable call, with its log and attempts. */
  runStep<T>(spec: StepSpec<T>): Promise<StepResult<T>> {
    const { key, info, policy } = spec;
    return durableCall<StepResult<T>>(this, {
      key,
      type: info.type,
      name: info.name,
      phase: info.phase,
      replay: (memoized) => {
        if (memoized.status === "failed" && !policy.continueOnError) {
          throw new StepFailedError(key, 0, memoized.error ?? { name: "Error", message: "failed" });
        }
        return memoized as StepResult<T>;
      },
      before: async () => {
        const host = this.owner.options.host;
        const before = host?.beforeAgentStep;
        if (info.type !== "agent" || !before) return undefined;
        const agent = (info.input as { agent?: string }).agent ?? "";
        const verdict = await before.call(host, { runId: this.runId, stepKey: key, agent });
        if (!verdict) return undefined;
        this.pauseReason = verdict.pause;
        return this.suspend("paused");
      },
      execute: async (call) => {
        const log = this.store.stepLog(this.runId, key);
        const controller = new AbortController();
        const release = this.hold(controller);
        const emit = call.emitter(log, () => this.crashed);
        const meta = (attempt: number): StepMeta => ({
          type: info.type,
          name: info.name,
          phase: info.phase,
          attempt,
        });
        /** Log closed, checkpoint written, then (only if written) the observer told. */
        const complete = async (
          result: StepResult<T>,
          attempt: number,
          agentSession?: StepAttemptResult["agentSession"],
        ): Promise<StepResult<T>> => {
          if (this.crashed) return NEVER;
          // Disk first: the log files and the checkpoint record are written (side by side)
          // before anyone is told, and what did not reach the checkpoint is never announced.
          const closeLog = () => log.close(result, stepSummary(key, info, result, attempt));
          if (!(await call.complete(result, meta(attempt), agentSession, closeLog))) return NEVER;
          return result;
        };
        let attempt = 0;
        try {
          await log.open({ stepKey: key, ...info });
          if (policy.skip) {
            // Shown and memoized like any step, so the board lists it and a replay skips it too.
            await call.announce(info);
            emit({ kind: "system", text: `skipped: ${policy.skip.reason}` });
            const data = { skipped: true, reason: policy.skip.reason } as T;
            return await complete({ stepId: key, status: "skipped", data }, 1);
          }
          const journal = this.owner.options.journal;
          const outcome = await runStepAttempts<T>({
            key,
            retry: policy.retry,
            // A journaled attempt must end the same way on replay: its worker times it out.
            timeout: journal ? undefined : policy.timeout,
            signal: controller.signal,
            emit,
            onAttempt: async (n) => {
              attempt = n;
              await call.announce(info, { attempt: n });
            },
            attempt: (n, signal) => {
              const local = () => this.attemptHere(spec, n, signal, emit);
              if (!journal) return local();
              // The run's variables are asked for only for a job (no extra tick on local).
              return (async () => {
                const resumeSessionId = this.checkpoint.pending.agent_sessions[key];
                const runEnvironment = this.owner.options.runEnvironment;
                const env =
                  spec.job && runEnvironment ? await runEnvironment(this.runId) : undefined;
                const job: StepJob | undefined = spec.job && {
                  ...spec.job,
                  runId: this.runId,
                  stepKey: key,
                  attempt: n,
                  workdir: this.workdir,
                  ...(policy.timeout !== undefined && { timeoutMs: durationToMs(policy.timeout) }),
                  ...(resumeSessionId !== undefined && { resumeSessionId }),
                  ...(env && { env }),
                };
                return journal.attempt({
                  key,
                  attempt: n,
                  job,
                  local,
                  signal,
                  ...(spec.hostCall && { hostCall: true }),
                });
              })();
            },
          });
          // Outside the attempts: a failure to record (disk full) fails the run; it must
          // not count as a failed attempt and run the step's side effect again.
          if (outcome.ok) {
            const { data, agentSession } = outcome.success;
            return await complete(
              { stepId: key, status: "completed", data },
              outcome.attempt,
              agentSession,
            );
          }
          const serialized = serializeError(outcome.error);
          const failed: StepResult<T> = { stepId: key, status: "failed", error: serialized };
          if (policy.continueOnError) return await complete(failed, outcome.attempt);
          // Not memoized: resuming a failed run tries this step again.
          await log.close(failed, stepSummary(key, info, failed, outcome.attempt));
          await call.report(failed, outcome.attempt);
          throw new StepFailedError(key, outcome.attempt, serialized, { cause: outcome.error });
        } catch (error) {
          release();
          if (error instanceof Interrupt) {
            // Back to pending: no output.json, no result; the observer hears onStepStarted again on resume.
            log.abandon();
            return this.suspend(error.reason);
          }
          if (error instanceof RunCancelledError) {
            const cancelled: StepResult<T> = {
              stepId: key,
              status: "failed",
              error: serializeError(error),
            };
            await log.close(cancelled, stepSummary(key, info, cancelled, attempt));
            await call.report(cancelled, attempt, "cancelled");
          } else {
            log.abandon();
          }
          throw error;
        } finally {
          release();
        }
      },
    });
  }

  /** One attempt of `spec` in this process, with everything a step runner is handed. */
  private async attemptHere<T>(
    spec: StepSpec<T>,
    attempt: number,
    signal: AbortSignal,
    emit: StepAttempt["emit"],
  ): Promise<StepAttemptResult<T>> {
    const key = spec.key;
    const options = this.owner.options;
    return spec.attempt({
      stepKey: key,
      attempt,
      signal,
      workdir: this.workdir,
      env: await options.runEnvironment?.(this.runId),
      emit,
      processRecord: this.store.stepProcessFile?.(this.runId, key),
      killGraceMs: options.killGraceMs ?? 1000,
      runAgent: options.runAgent,
      mcpServers: options.mcpServersFor?.({ runId: this.runId, stepKey: key }),
      declaredAgents: options.declaredAgents,
      resumeSessionId: this.checkpoint.pending.agent_sessions[key],
      onAgentSession: (sessionId) => {
        this.checkpoint.pending.agent_sessions[key] = sessionId;
        // Best effort: losing it only means the rerun starts a fresh agent session.
        void this.save().catch(() => {});
      },
    } as StepAttempt);
  }

  /** A wait that is not a process (sleep, child run): registered so pause and cancel reach it. */
  async interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const release = this.hold(controller, { wait: true });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
        once: true,
      });
    });
    aborted.catch(() => {});
    try {
      // Raced, so a wait that ignores its signal still lets go at once.
      return await Promise.race([fn(controller.signal), aborted]);
    } catch (error) {
      if (controller.signal.aborted) {
        const reason = controller.signal.reason;
        if (reason instanceof Interrupt) {
          release();
          return this.suspend(reason.reason);
        }
        throw reason;
      }
      throw error;
    } finally {
      release();
      this.settle();
    }
  }
}
