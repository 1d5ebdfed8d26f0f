import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { basename, join } from "node:path";
import type { Checkpoint, StepMeta } from "../checkpoint/Checkpoint.js";
import { emptyCheckpoint } from "../checkpoint/Checkpoint.js";
import { CheckpointStore } from "../checkpoint/CheckpointStore.js";
import { HostMissingError } from "../errors/HostMissingError.js";
import { NonRetriableStepError } from "../errors/NonRetriableStepError.js";
import { RunCancelledError } from "../errors/RunCancelledError.js";
import { SignalTimeoutError } from "../errors/SignalTimeoutError.js";
import { StepFailedError } from "../errors/StepFailedError.js";
import { StepTimeoutError } from "../errors/StepTimeoutError.js";
import { serializeError } from "../errors/serializeError.js";
import { TemplateChangedError } from "../errors/TemplateChangedError.js";
import { UnknownPhaseError } from "../errors/UnknownPhaseError.js";
import { RunLock } from "../lease/RunLock.js";
import { runAgentStep } from "../steps/runAgentStep.js";
import { runFunctionStep } from "../steps/runFunctionStep.js";
import { runScriptStep } from "../steps/runScriptStep.js";
import type { StepAttempt, StepAttemptResult } from "../steps/StepAttempt.js";
import { type RunPaths, runPaths } from "../storage/runPaths.js";
import { signalFiles } from "../storage/signalFiles.js";
import type {
  ApprovalDecision,
  ChildRunResult,
  ChildWorkspace,
  ExecResult,
  ParallelOptions,
  ReceivedSignal,
  WorkflowContext,
} from "../types/context.js";
import type { WorkflowDefinition } from "../types/definition.js";
import type { ExecutorOptions, RunHandle, RunOutcome } from "../types/executor.js";
import type { RunObserver, StepLogEvent } from "../types/observer.js";
import type { Duration, StepConfig, StepResult, StepType } from "../types/step.js";
import { abortableDelay } from "./abortableDelay.js";
import { durationToMs } from "./durationToMs.js";
import { retryDelayMs } from "./retryDelayMs.js";
import { runParallel } from "./runParallel.js";
import { StepLog } from "./StepLog.js";
import { stepSummary } from "./stepSummary.js";

/** Why a ctx call stopped without settling: the run is set aside and resumes later. */
type Suspension = "paused" | "waiting" | "crashed";

/** Abort reasons that mean "this step did not finish; run it again on resume". */
class Interrupt extends Error {
  constructor(readonly reason: Suspension) {
    super(`step interrupted (${reason})`);
  }
}

/** What a run needs from the executor that owns it (child runs, continuations). */
export interface RunOwner {
  options: ExecutorOptions;
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

const NEVER = new Promise<never>(() => {});

/**
 * One run held by this process: the WorkflowContext a template drives, and the control
 * (pause, cancel) over it. Rules in ../../ARCHITECTURE.md; the short version: a completed
 * step is in the checkpoint before anyone hears of it, a suspended run leaves its pending
 * ctx calls unsettled forever (so no template code runs after pause), a cancelled run
 * throws RunCancelledError out of the pending call (so `finally` blocks run).
 */
export class RunExecution {
  readonly done: Promise<RunOutcome>;
  /** Why the run paused itself (the host's beforeAgentStep answer). */
  private pauseReason: string | undefined;
  checkpoint!: Checkpoint;
  private store: CheckpointStore;
  private lock: RunLock;
  private observer: RunObserver;
  private keyCounts = new Map<string, number>();
  private scope = new AsyncLocalStorage<string>();
  private commentCalls = 0;
  private inFlight = new Set<AbortController>();
  /** Waits that are not work (sleep, child run): every pause interrupts them, not only `now`. */
  private waits = new Set<AbortController>();
  private children = new Set<RunHandle>();
  private suspension: Suspension | undefined;
  private pauseRequested = false;
  private cancelRequested = false;
  /** A cancel nobody has heard yet: the next ctx call throws it. */
  private cancelUndelivered = false;
  private stopped = false;
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
    readonly paths: RunPaths,
    readonly args: Record<string, unknown>,
    readonly workdir: string,
    private owner: RunOwner,
  ) {
    this.observer = owner.options.observer ?? {};
    this.store = new CheckpointStore(paths.checkpoints);
    this.lock = new RunLock(paths.lock, owner.options.workerId, owner.options.staleAfterMs);
    const suspended = new Promise<void>((resolve) => {
      this.finishSuspended = resolve;
    });
    this.done = this.drive(suspended);
  }

  // ── control ────────────────────────────────────────────────────────────────

  pause(now: boolean): void {
    if (this.stopped) return;
    this.pauseRequested = true;
    if (now) this.abortInFlight(new Interrupt("paused"));
    else for (const wait of this.waits) wait.abort(new Interrupt("paused"));
    for (const child of this.children) void child.pause({ now });
    this.maybeSuspend();
  }

  cancel(): void {
    if (this.stopped || this.cancelRequested) return;
    this.cancelRequested = true;
    this.pauseRequested = false;
    const error = new RunCancelledError(`run ${this.runId} was cancelled`);
    if (this.inFlight.size > 0) this.abortInFlight(error);
    else this.cancelUndelivered = true;
    for (const child of this.children) void child.cancel();
  }

  /** Test seam: behave as if the process died now — nothing more is written. */
  crash(): void {
    if (this.stopped) return;
    this.suspension = "crashed";
    this.abortInFlight(new Interrupt("crashed"));
    this.stopHeartbeat();
    // Writes already handed to the OS land (or not) in a real crash before anyone could
    // resume; waiting for them keeps the next executor from racing this one's files.
    void this.writes.then(() => {
      this.lock.release();
      this.finishSuspended();
    });
  }

  private abortInFlight(reason: unknown): void {
    for (const controller of this.inFlight) controller.abort(reason);
  }

  private get crashed(): boolean {
    return this.suspension === "crashed";
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────

  private async drive(suspended: Promise<void>): Promise<RunOutcome> {
    // Setup errors (locked, unreadable checkpoint) reject `done`: the run never started.
    this.lock.acquire();
    try {
      const loaded = this.store.load();
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
      this.lock.release();
      throw error;
    }
    const previous = this.checkpoint.status;
    if (previous === "completed" || previous === "cancelled") {
      this.lock.release();
      this.stopped = true;
      return {
        runId: this.runId,
        status: previous,
        result: this.checkpoint.result,
        ...(this.checkpoint.continued_as ? { continuedAs: this.checkpoint.continued_as } : {}),
      };
    }
    delete this.checkpoint.error;
    this.checkpoint.status = "running";
    try {
      await this.save();
      await this.observer.onRunStatus?.({ runId: this.runId, status: "running" });
    } catch (error) {
      // Never leave a lock behind for a run that did not start.
      this.stopped = true;
      this.lock.release();
      throw error;
    }
    this.startHeartbeat();

    type Ended = { kind: "settled"; ok: boolean; value: unknown } | { kind: "suspended" };
    const executing: Promise<Ended> = Promise.resolve()
      .then(() => this.definition.execute(this.context()))
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
    this.stopped = true;
    this.stopHeartbeat();
    if (this.crashed) {
      return { runId: this.runId, status: "paused" };
    }
    let outcome: RunOutcome;
    if (this.continuedAs) {
      outcome = { runId: this.runId, status: "completed", continuedAs: this.continuedAs };
    } else if (this.cancelRequested) {
      outcome = { runId: this.runId, status: "cancelled" };
    } else if (ended.kind === "suspended") {
      outcome = { runId: this.runId, status: this.suspension === "waiting" ? "waiting" : "paused" };
      if (this.suspension !== "waiting" && this.pauseReason) outcome.pauseReason = this.pauseReason;
      const deadlines = Object.values(this.checkpoint.pending.timers).sort();
      if (this.suspension === "waiting" && deadlines[0]) outcome.wakeAt = deadlines[0];
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
      this.lock.release();
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

  private startHeartbeat(): void {
    const beat = () => {
      this.lock.touch();
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
  private save(): Promise<boolean> {
    if (this.crashed) return Promise.resolve(false);
    this.checkpoint.timestamp = new Date().toISOString();
    // Number and bytes are fixed now; the IO may overlap another write of this run.
    const job = this.store.write(this.checkpoint).then(() => true);
    this.writes = Promise.all([this.writes, job]).then(
      () => {},
      () => {},
    );
    return job;
  }

  /** Suspends once nothing is in flight: pending steps finish and checkpoint first. */
  private maybeSuspend(): void {
    if (this.stopped || this.inFlight.size > 0) return;
    if (this.pauseRequested && !this.suspension) this.suspension = "paused";
    if (this.suspension) this.finishSuspended();
  }

  /** Parks the calling ctx call forever and lets `done` resolve with the suspension. */
  private suspend(reason: Suspension): Promise<never> {
    if (!this.suspension || reason === "crashed") this.suspension = reason;
    this.maybeSuspend();
    return NEVER;
  }

  /** Runs before any real work: delivers a cancel, honours a pause. */
  private gate(): Promise<never> | undefined {
    if (this.crashed) return NEVER;
    if (this.cancelUndelivered) {
      this.cancelUndelivered = false;
      throw new RunCancelledError(`run ${this.runId} was cancelled`);
    }
    if (this.suspension || (this.pauseRequested && !this.cancelRequested)) {
      return this.suspend(this.suspension ?? "paused");
    }
    return undefined;
  }

  // ── memo keys and replay ───────────────────────────────────────────────────

  private nextKey(id: string): string {
    const base = `${this.scope.getStore() ?? ""}${id}`;
    const count = (this.keyCounts.get(base) ?? 0) + 1;
    this.keyCounts.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  }

  private memo(key: string, type: StepType, name: string): StepResult | undefined {
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

  private checkPhase(phase: string): void {
    if (!this.definition.phases.includes(phase)) {
      throw new UnknownPhaseError(
        `phase "${phase}" is not one of the template's phases (${this.definition.phases.join(", ")})`,
      );
    }
  }

  private async enterPhase(phase: string): Promise<void> {
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

  private async record(key: string, result: StepResult, meta: StepMeta): Promise<boolean> {
    this.checkpoint.step_results[key] = result;
    this.checkpoint.step_meta[key] = meta;
    this.checkpoint.completed_step_ids.push(key);
    this.checkpoint.current_step_index = this.checkpoint.completed_step_ids.length;
    delete this.checkpoint.pending.agent_sessions[key];
    delete this.checkpoint.pending.timers[key];
    delete this.checkpoint.pending.children[key];
    delete this.checkpoint.pending.child_workdirs?.[key];
    return this.save();
  }

  /** How many signals of `name` the memoized steps have taken. */
  private signalCursor(name: string): number {
    const taken = this.checkpoint.signals_taken ?? {};
    let count = 0;
    for (const key of this.checkpoint.completed_step_ids) {
      const entry = taken[key];
      if (entry) {
        count += entry[name] ?? 0;
        continue;
      }
      // Checkpoints written before signals_taken: a completed signal step took one.
      const meta = this.checkpoint.step_meta[key];
      if (meta?.type === "signal" && meta.name === name) {
        if (this.checkpoint.step_results[key]?.status === "completed") count += 1;
      }
    }
    return count;
  }

  /**
   * Moves the signals this run never took to its successor, keeping their arrival-ordered
   * names, so a signal sent between the template's last wait and its continueAsNew is the
   * successor's to take, not lost with this run. Renames are atomic: after a crash midway
   * the replayed finish moves the rest, and no signal is delivered twice. Signals sent from
   * now on go to the successor directly (WorkflowExecutor.signal reads `continuation`).
   */
  private passSignalsOn(successorId: string): void {
    if (!existsSync(this.paths.signals)) return;
    const target = runPaths(this.owner.options.projectPath, successorId).signals;
    for (const folder of readdirSync(this.paths.signals)) {
      const name = decodeURIComponent(folder);
      const untaken = signalFiles(this.paths.signals, name).slice(this.signalCursor(name));
      if (untaken.length === 0) continue;
      mkdirSync(join(target, folder), { recursive: true });
      for (const file of untaken) renameSync(file, join(target, folder, basename(file)));
    }
  }

  /** Where signals sent to this run go instead: its successor, once it continued as new. */
  get continuation(): string | undefined {
    return this.checkpoint.continued_as;
  }

  /** The signals of `names` not taken yet, oldest first (files are named by arrival). */
  private untakenSignals(names: string[]): Array<{ name: string; file: string }> {
    return names
      .flatMap((name) =>
        signalFiles(this.paths.signals, name)
          .slice(this.signalCursor(name))
          .map((file) => ({ name, file })),
      )
      .sort((a, b) => basename(a.file).localeCompare(basename(b.file)));
  }

  /** Remembers what the step `key` takes; saved with the step's result. */
  private noteTaken(key: string, taken: Array<{ name: string }>): void {
    const counts: Record<string, number> = {};
    for (const signal of taken) counts[signal.name] = (counts[signal.name] ?? 0) + 1;
    this.checkpoint.signals_taken = { ...(this.checkpoint.signals_taken ?? {}), [key]: counts };
  }

  /**
   * A durable wait for the oldest untaken signal among `names`. A deadline that passed is
   * recorded as the step's failure, so a replay throws SignalTimeoutError again instead of
   * taking a signal that arrived later.
   */
  private async awaitSignals<T>(
    key: string,
    names: string[],
    label: string,
    options: { timeout?: Duration; phase?: string },
  ): Promise<ReceivedSignal<T>> {
    const memoized = this.memo(key, "signal", label);
    if (memoized?.status === "failed") {
      throw new SignalTimeoutError(memoized.error?.message ?? `signal "${label}" timed out`);
    }
    if (memoized) {
      // Single-name waits record the bare payload; multi-name waits the name with it.
      return names.length === 1 && label === names[0]
        ? { name: label, payload: memoized.data as T }
        : (memoized.data as ReceivedSignal<T>);
    }
    const phase =
      options.phase ?? (this.checkpoint.current_phase || this.definition.phases[0] || "");
    this.checkPhase(phase);
    const parked = this.gate();
    if (parked) return parked;
    const meta = { type: "signal" as const, name: label, phase, attempt: 1 };
    const [next] = this.untakenSignals(names);
    if (next) {
      const received = { name: next.name, payload: readSignalPayload(next.file) as T };
      await this.enterPhase(phase);
      this.noteTaken(key, [next]);
      const data = names.length === 1 && label === names[0] ? received.payload : received;
      await this.settle(key, { stepId: key, status: "completed", data }, meta, Date.now());
      return received;
    }
    if (options.timeout !== undefined) {
      const deadline = await this.timer(key, options.timeout);
      if (Date.now() >= deadline) {
        const error = new SignalTimeoutError(
          `signal "${label}" did not arrive within ${options.timeout}`,
        );
        await this.enterPhase(phase);
        this.noteTaken(key, []);
        await this.settle(
          key,
          { stepId: key, status: "failed", error: serializeError(error) },
          meta,
          Date.now(),
        );
        throw error;
      }
    }
    await this.enterPhase(phase);
    await this.announce(key, { type: "signal", name: label, phase }, "waiting");
    return this.suspend("waiting");
  }

  /**
   * Tells the observer about a step that does not go through runStep (signal, approval,
   * sleep, child run), so the board lists it while it waits. Safe to repeat on resume.
   */
  private async announce(
    key: string,
    info: { type: StepType; name: string; phase: string },
    status: "running" | "waiting",
  ): Promise<void> {
    await this.observer.onStepStarted?.({
      runId: this.runId,
      stepKey: key,
      ...info,
      attempt: 1,
      sequence: this.checkpoint.completed_step_ids.length,
      logDir: this.paths.relative(this.paths.stepLogDir(key)),
      status,
    });
  }

  /** Records such a step and, once it is on disk, tells the observer it finished. */
  private async settle(
    key: string,
    result: StepResult,
    meta: StepMeta,
    started: number,
    displayName = meta.name,
  ): Promise<boolean> {
    await this.announce(key, { ...meta, name: displayName }, "running");
    const written = await this.record(key, result, meta);
    if (!written) return false;
    await this.observer.onStepCompleted?.({
      runId: this.runId,
      stepKey: key,
      status: result.status,
      result,
      attempt: 1,
      durationMs: Date.now() - started,
    });
    return true;
  }

  // ── one durable step ───────────────────────────────────────────────────────

  private async runStep<T>(
    key: string,
    info: { type: StepType; name: string; phase: string; input: unknown },
    policy: {
      retry?: StepConfig["retry"];
      timeout?: Duration;
      continueOnError?: boolean;
      skip?: StepConfig["skip"];
    },
    attemptFn: (attempt: StepAttempt) => Promise<StepAttemptResult<T>>,
  ): Promise<StepResult<T>> {
    const memoized = this.memo(key, info.type, info.name);
    if (memoized) {
      if (memoized.status === "failed" && !policy.continueOnError) {
        throw new StepFailedError(key, 0, memoized.error ?? { name: "Error", message: "failed" });
      }
      return memoized as StepResult<T>;
    }
    this.checkPhase(info.phase);
    const parked = this.gate();
    if (parked) return parked;
    const before = this.owner.options.host?.beforeAgentStep;
    if (info.type === "agent" && before) {
      const agent = (info.input as { agent?: string }).agent ?? "";
      const verdict = await before.call(this.owner.options.host, {
        runId: this.runId,
        stepKey: key,
        agent,
      });
      if (verdict) {
        this.pauseReason = verdict.pause;
        return this.suspend("paused");
      }
    }
    await this.enterPhase(info.phase);

    const log = new StepLog(this.paths.stepLogDir(key));
    const attempts = Math.max(1, policy.retry?.attempts ?? 1);
    const timeoutMs = policy.timeout === undefined ? undefined : durationToMs(policy.timeout);
    const started = Date.now();
    const controller = new AbortController();
    this.inFlight.add(controller);
    const release = () => {
      this.inFlight.delete(controller);
    };
    const emit = (event: Omit<StepLogEvent, "at">) => {
      if (this.crashed) return;
      const full: StepLogEvent = { at: new Date().toISOString(), ...event };
      log.append(full);
      this.observer.onStepProgress?.({ runId: this.runId, stepKey: key, event: full });
    };
    let lastError: unknown;
    let attempt = 0;
    let success: StepAttemptResult<T> | undefined;
    try {
      await log.open({ stepKey: key, ...info });
      if (policy.skip) {
        // Shown and memoized like any step, so the board lists it and a replay skips it too.
        await this.observer.onStepStarted?.({
          runId: this.runId,
          stepKey: key,
          name: info.name,
          phase: info.phase,
          type: info.type,
          attempt: 1,
          sequence: this.checkpoint.completed_step_ids.length,
          logDir: this.paths.relative(log.dir),
        });
        emit({ kind: "system", text: `skipped: ${policy.skip.reason}` });
        const skipped: StepResult<T> = {
          stepId: key,
          status: "skipped",
          data: { skipped: true, reason: policy.skip.reason } as T,
        };
        return await this.complete(key, info, log, skipped, 1, started);
      }
      for (attempt = 1; attempt <= attempts; attempt++) {
        await this.observer.onStepStarted?.({
          runId: this.runId,
          stepKey: key,
          name: info.name,
          phase: info.phase,
          type: info.type,
          attempt,
          sequence: this.checkpoint.completed_step_ids.length,
          logDir: this.paths.relative(log.dir),
        });
        if (attempt > 1) emit({ kind: "system", text: `attempt ${attempt} started` });
        const attemptController = new AbortController();
        const forward = () => attemptController.abort(controller.signal.reason);
        if (controller.signal.aborted) forward();
        controller.signal.addEventListener("abort", forward, { once: true });
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(
                () =>
                  attemptController.abort(
                    new StepTimeoutError(`step "${key}" timed out after ${policy.timeout}`),
                  ),
                timeoutMs,
              );
        try {
          const output = await attemptFn({
            stepKey: key,
            attempt,
            signal: attemptController.signal,
            workdir: this.workdir,
            emit,
            killGraceMs: this.owner.options.killGraceMs ?? 1000,
            runAgent: this.owner.options.runAgent,
            declaredAgents: this.owner.options.declaredAgents,
            resumeSessionId: this.checkpoint.pending.agent_sessions[key],
            onAgentSession: (sessionId) => {
              this.checkpoint.pending.agent_sessions[key] = sessionId;
              // Best effort: losing it only means the rerun starts a fresh agent session.
              void this.save().catch(() => {});
            },
          });
          if (controller.signal.aborted) throw controller.signal.reason;
          success = output;
          break;
        } catch (error) {
          if (controller.signal.aborted) throw controller.signal.reason;
          lastError = error;
          emit({ kind: "system", text: `attempt ${attempt} failed: ${String(error)}` });
          if (error instanceof NonRetriableStepError || attempt >= attempts) break;
          const wait = retryDelayMs(policy.retry ?? { attempts }, attempt + 1);
          await abortableDelay(wait, controller.signal);
        } finally {
          clearTimeout(timer);
          controller.signal.removeEventListener("abort", forward);
        }
      }
      // Outside the attempt loop: a failure to record (disk full) fails the run; it must
      // not count as a failed attempt and run the step's side effect again.
      if (success) {
        const result: StepResult<T> = { stepId: key, status: "completed", data: success.data };
        return await this.complete(key, info, log, result, attempt, started, success.agentSession);
      }
      const serialized = serializeError(lastError);
      const failed: StepResult<T> = { stepId: key, status: "failed", error: serialized };
      const tried = Math.min(attempt, attempts);
      if (policy.continueOnError) {
        return await this.complete(key, info, log, failed, tried, started);
      }
      // Not memoized: resuming a failed run tries this step again.
      await log.close(failed, stepSummary(key, info, failed, tried));
      await this.observer.onStepCompleted?.({
        runId: this.runId,
        stepKey: key,
        status: "failed",
        result: failed,
        attempt: tried,
        durationMs: Date.now() - started,
      });
      throw new StepFailedError(key, tried, serialized, { cause: lastError });
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
        await this.observer.onStepCompleted?.({
          runId: this.runId,
          stepKey: key,
          status: "cancelled",
          result: cancelled,
          attempt,
          durationMs: Date.now() - started,
        });
      } else {
        log.abandon();
      }
      throw error;
    } finally {
      release();
    }
  }

  private async complete<T>(
    key: string,
    info: { type: StepType; name: string; phase: string },
    log: StepLog,
    result: StepResult<T>,
    attempt: number,
    started: number,
    agentSession?: StepAttemptResult["agentSession"],
  ): Promise<StepResult<T>> {
    if (this.crashed) return NEVER;
    await log.close(result, stepSummary(key, info, result, attempt));
    const written = await this.record(key, result, {
      type: info.type,
      name: info.name,
      phase: info.phase,
      attempt,
    });
    // Disk first: what did not reach the checkpoint is never announced.
    if (!written) return NEVER;
    await this.observer.onStepCompleted?.({
      runId: this.runId,
      stepKey: key,
      status: result.status,
      result,
      attempt,
      durationMs: Date.now() - started,
      ...(agentSession ? { agentSession } : {}),
    });
    return result;
  }

  /** A wait that is not a process (sleep, signal): registered so pause and cancel reach it. */
  private async interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    this.waits.add(controller);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
        once: true,
      });
    });
    aborted.catch(() => {});
    try {
      // Raced, so a wait that ignores its signal (a child's `done`) still lets go at once.
      return await Promise.race([fn(controller.signal), aborted]);
    } catch (error) {
      if (controller.signal.aborted) {
        const reason = controller.signal.reason;
        if (reason instanceof Interrupt) {
          this.inFlight.delete(controller);
          this.waits.delete(controller);
          return this.suspend(reason.reason);
        }
        throw reason;
      }
      throw error;
    } finally {
      this.inFlight.delete(controller);
      this.waits.delete(controller);
      this.maybeSuspend();
    }
  }

  // ── the context ────────────────────────────────────────────────────────────

  private context(): WorkflowContext {
    const self = this;
    const currentPhase = () => this.checkpoint.current_phase || this.definition.phases[0] || "";
    const ctx: WorkflowContext = {
      runId: this.runId,
      projectPath: this.owner.options.projectPath,
      workdir: this.workdir,
      args: this.args,

      step<T>(id: string, config: StepConfig<T>) {
        const key = self.nextKey(id);
        const name = config.name ?? id;
        const { fn: _fn, ...input } = config as StepConfig<T> & { fn?: unknown };
        return self
          .runStep<T>(
            key,
            { type: config.type, name, phase: config.phase, input },
            config,
            (attempt) => {
              switch (config.type) {
                case "script":
                  return runScriptStep(config, attempt) as Promise<StepAttemptResult<T>>;
                case "function":
                  return runFunctionStep(config, attempt);
                case "agent":
                  return runAgentStep(config, attempt) as Promise<StepAttemptResult<T>>;
                default: {
                  const never: never = config;
                  throw new Error(`unknown step type ${JSON.stringify(never)}`);
                }
              }
            },
          )
          .finally(() => self.maybeSuspend());
      },

      parallel<I, R>(
        items: readonly I[],
        options: ParallelOptions<I>,
        fn: (item: I) => Promise<R>,
      ) {
        const prefix = self.scope.getStore() ?? "";
        return runParallel(items, options, (item, key) =>
          self.scope.run(`${prefix}${key}/`, () => fn(item)),
        );
      },

      async run<T>(
        template: string,
        args: Record<string, unknown>,
        options: { id?: string; name?: string; phase?: string; workspace?: ChildWorkspace } = {},
      ): Promise<ChildRunResult<T>> {
        const key = self.nextKey(options.id ?? template);
        const name = options.name ?? template;
        const phase = options.phase ?? currentPhase();
        const memoized = self.memo(key, "workflow", name);
        if (memoized) return memoized.data as ChildRunResult<T>;
        self.checkPhase(phase);
        const parked = self.gate();
        if (parked) return parked;
        const host = self.owner.options.host;
        if (!host) throw new HostMissingError("ctx.run needs an executor created with a host");
        await self.enterPhase(phase);
        const loaded = await host.loadTemplate(template);
        let childId = self.checkpoint.pending.children[key];
        if (!childId) {
          const created = await host.createChildRun({
            parentRunId: self.runId,
            template: loaded,
            args,
            name,
            ...(options.workspace === "own" && { workspace: "own" as const }),
          });
          childId = created.runId;
          self.checkpoint.pending.children[key] = childId;
          if (created.workdir !== undefined) {
            self.checkpoint.pending.child_workdirs = {
              ...self.checkpoint.pending.child_workdirs,
              [key]: created.workdir,
            };
          }
          await self.save();
        }
        // Recorded with the child's id, so a resumed parent drives it in the same folder.
        const childWorkdir = self.checkpoint.pending.child_workdirs?.[key];
        const started = Date.now();
        await self.announce(key, { type: "workflow", name, phase }, "waiting");
        const handle = self.owner.startOrResumeChild(childId, loaded.definition, {
          snapshot: loaded.snapshot,
          bundle: loaded.bundle,
          args,
          workdir: childWorkdir ?? self.workdir,
          parentRunId: self.runId,
        });
        // Pause and cancel reach the child through `children`; the parent stays in flight
        // until the child has stopped, so neither outlives the other's bookkeeping.
        const holder = new AbortController();
        self.children.add(handle);
        self.inFlight.add(holder);
        let outcome: RunOutcome;
        try {
          outcome = await handle.done;
        } finally {
          self.children.delete(handle);
          self.inFlight.delete(holder);
        }
        if (self.crashed) return NEVER;
        if (holder.signal.aborted && holder.signal.reason instanceof RunCancelledError) {
          self.maybeSuspend();
          throw holder.signal.reason;
        }
        if (outcome.status === "paused" || outcome.status === "waiting") {
          return self.suspend(outcome.status === "waiting" ? "waiting" : "paused");
        }
        const data: ChildRunResult<T> = {
          runId: childId,
          status: outcome.status,
          ...(outcome.result !== undefined ? { result: outcome.result as T } : {}),
          ...(childWorkdir !== undefined && { workdir: childWorkdir }),
        };
        const result: StepResult = { stepId: key, status: "completed", data };
        await self.settle(key, result, { type: "workflow", name, phase, attempt: 1 }, started);
        return data;
      },

      async waitForSignal<T>(name: string, options: { timeout?: Duration; phase?: string } = {}) {
        const received = await self.awaitSignals<T>(self.nextKey(name), [name], name, options);
        return received.payload;
      },

      waitForSignals<T>(
        names: string[],
        options: { id?: string; timeout?: Duration; phase?: string } = {},
      ) {
        const label = names.join("+");
        return self.awaitSignals<T>(self.nextKey(options.id ?? label), names, label, options);
      },

      async pollSignals<T>(names: string[], options: { id?: string } = {}) {
        const label = `poll:${names.join("+")}`;
        const key = self.nextKey(options.id ?? label);
        const memoized = self.memo(key, "signal", label);
        if (memoized) return memoized.data as ReceivedSignal<T>[];
        const parked = self.gate();
        if (parked) return parked;
        const taken = self.untakenSignals(names);
        const received = taken.map((signal) => ({
          name: signal.name,
          payload: readSignalPayload(signal.file) as T,
        }));
        // Bookkeeping, not work: recorded for replay but not listed as a step on the board.
        self.noteTaken(key, taken);
        await self.record(
          key,
          { stepId: key, status: "completed", data: received },
          { type: "signal", name: label, phase: currentPhase(), attempt: 1 },
        );
        return received;
      },

      async sendSignal(
        template: string,
        name: string,
        payload?: unknown,
        options: { id?: string; phase?: string } = {},
      ) {
        const host = self.owner.options.host;
        if (!host?.signalRuns) {
          throw new HostMissingError("ctx.sendSignal needs an executor whose host can signal runs");
        }
        const signalRuns = host.signalRuns.bind(host);
        const result = await ctx.step<{ runIds: string[] }>(options.id ?? `signal-${template}`, {
          type: "function",
          name: `Signal ${name} to ${template}`,
          phase: options.phase ?? currentPhase(),
          fn: () => signalRuns({ fromRunId: self.runId, template, name, payload }),
        });
        if (result.status !== "completed") {
          throw new Error(result.error?.message ?? `could not signal ${template}`);
        }
        return result.data ?? { runIds: [] };
      },

      diffOfRun(runId: string, options: { id?: string; phase?: string } = {}) {
        const host = self.owner.options.host;
        if (!host?.diffOfRun) {
          throw new HostMissingError("ctx.diffOfRun needs an executor whose host has worktrees");
        }
        const diffOfRun = host.diffOfRun.bind(host);
        return workspaceStep(ctx, options.id ?? `diff-${runId}`, {
          name: `Diff of run ${runId}`,
          phase: options.phase ?? currentPhase(),
          fn: () => diffOfRun(runId),
        });
      },

      mergeRun(
        runId: string,
        options: { id?: string; phase?: string; mode?: "ff" | "squash"; message?: string } = {},
      ) {
        const host = self.owner.options.host;
        if (!host?.mergeRun) {
          throw new HostMissingError("ctx.mergeRun needs an executor whose host has worktrees");
        }
        const mergeRun = host.mergeRun.bind(host);
        const mode = options.mode ?? "squash";
        return workspaceStep(ctx, options.id ?? `merge-${runId}`, {
          name: `Merge run ${runId} (${mode})`,
          phase: options.phase ?? currentPhase(),
          fn: () =>
            mergeRun(runId, {
              mode,
              ...(options.message !== undefined && { message: options.message }),
            }),
        });
      },

      async removeRunWorktree(runId: string, options: { id?: string; phase?: string } = {}) {
        const host = self.owner.options.host;
        if (!host?.removeRunWorktree) {
          throw new HostMissingError(
            "ctx.removeRunWorktree needs an executor whose host has worktrees",
          );
        }
        const removeRunWorktree = host.removeRunWorktree.bind(host);
        await workspaceStep(ctx, options.id ?? `remove-worktree-${runId}`, {
          name: `Remove the worktree of run ${runId}`,
          phase: options.phase ?? currentPhase(),
          fn: async () => {
            await removeRunWorktree(runId);
            return null;
          },
        });
      },

      async approval(id: string, options: { message: string; phase?: string }) {
        const key = self.nextKey(id);
        const memoized = self.memo(key, "approval", id);
        if (memoized) return memoized.data as ApprovalDecision;
        const phase = options.phase ?? currentPhase();
        self.checkPhase(phase);
        const parked = self.gate();
        if (parked) return parked;
        await self.enterPhase(phase);
        const file = join(self.paths.approvals, `${encodeURIComponent(key)}.json`);
        if (existsSync(file)) {
          const decision = JSON.parse(readFileSync(file, "utf8")) as ApprovalDecision;
          await self.settle(
            key,
            { stepId: key, status: "completed", data: decision },
            { type: "approval", name: id, phase, attempt: 1 },
            Date.now(),
            options.message,
          );
          return decision;
        }
        await self.announce(key, { type: "approval", name: options.message, phase }, "waiting");
        return self.suspend("waiting");
      },

      async sleep(id: string, duration: Duration) {
        const key = self.nextKey(id);
        if (self.memo(key, "sleep", id)) return;
        const parked = self.gate();
        if (parked) return parked;
        const wakeAt = await self.timer(key, duration);
        const started = Date.now();
        await self.announce(key, { type: "sleep", name: id, phase: currentPhase() }, "waiting");
        await self.interruptible((signal) => abortableDelay(wakeAt - Date.now(), signal));
        await self.settle(
          key,
          { stepId: key, status: "completed", data: { wakeAt: new Date(wakeAt).toISOString() } },
          { type: "sleep", name: id, phase: currentPhase(), attempt: 1 },
          started,
        );
      },

      async setState(state: Record<string, unknown>) {
        self.checkpoint.state = { ...self.checkpoint.state, ...state };
        await self.save();
        await self.observer.onState?.({ runId: self.runId, state: self.checkpoint.state });
      },

      async comment(text, options = {}) {
        self.commentCalls += 1;
        // Replay: comments already emitted before the restart are not emitted again.
        if (self.commentCalls <= self.checkpoint.comment_count) return;
        self.checkpoint.comment_count = self.commentCalls;
        await self.save();
        await self.observer.onComment?.({
          runId: self.runId,
          text,
          type: options.type ?? "system",
          ...(options.stepId ? { stepKey: options.stepId } : {}),
        });
      },

      async exec(command, options = {}) {
        const key = self.nextKey("exec");
        const result = await self.runStep<ExecResult>(
          key,
          { type: "script", name: command, phase: currentPhase(), input: { command, ...options } },
          {},
          // exec reports the exit code instead of failing, like child_process.exec
          (attempt) => runScriptStep({ command, ...options }, attempt, { allowNonZeroExit: true }),
        );
        self.maybeSuspend();
        return result.data as ExecResult;
      },

      getStepResult<T>(stepId: string) {
        // Inside a parallel item, its own steps first (`lib/build`), then the run's.
        const scoped = `${self.scope.getStore() ?? ""}${stepId}`;
        const results = self.checkpoint.step_results;
        return (results[scoped] ?? results[stepId]) as StepResult<T> | undefined;
      },

      async checkpoint() {
        await self.save();
      },

      async continueAsNew(args: Record<string, unknown>): Promise<never> {
        const host = self.owner.options.host;
        let next = self.checkpoint.continued_as;
        if (!next) {
          if (!host?.createContinuationRun) {
            throw new HostMissingError("ctx.continueAsNew needs a host with createContinuationRun");
          }
          next = (await host.createContinuationRun({ previousRunId: self.runId, args })).runId;
          self.checkpoint.continued_as = next;
          await self.save();
        }
        self.continuedAs = next;
        self.continuationArgs = args;
        self.finishSuspended();
        return NEVER;
      },
    };
    return ctx;
  }

  /** A durable deadline: recorded once, so a restart keeps the original wake-up time. */
  private async timer(key: string, duration: Duration): Promise<number> {
    const existing = this.checkpoint.pending.timers[key];
    if (existing) return Date.parse(existing);
    const wakeAt = Date.now() + durationToMs(duration);
    this.checkpoint.pending.timers[key] = new Date(wakeAt).toISOString();
    await this.save();
    return wakeAt;
  }
}

function readSignalPayload(file: string): unknown {
  return (JSON.parse(readFileSync(file, "utf8")) as { payload?: unknown }).payload ?? null;
}

/** A host call as a durable function step: its result, or its error thrown again. */
async function workspaceStep<T>(
  ctx: WorkflowContext,
  id: string,
  config: { name: string; phase: string; fn: () => Promise<T> },
): Promise<T> {
  const result = await ctx.step<T>(id, { type: "function", ...config });
  if (result.status !== "completed") {
    throw new Error(result.error?.message ?? `${config.name} failed`);
  }
  return result.data as T;
}
