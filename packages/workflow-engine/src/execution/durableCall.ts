import type { Checkpoint, StepMeta } from "../checkpoint/Checkpoint.js";
import type { StepAttemptResult } from "../steps/StepAttempt.js";
import type { StepLogWriter } from "../store/RunStore.js";
import type { RunObserver, StepLogEvent, StepStatus } from "../types/observer.js";
import type { StepResult, StepType } from "../types/step.js";

/** What a durable call needs from the run it belongs to (RunExecution provides it). */
export interface DurableRun {
  readonly runId: string;
  readonly checkpoint: Checkpoint;
  readonly observer: RunObserver;
  /** The recorded result of `key`; throws TemplateChangedError when type or name differ. */
  memo(key: string, type: StepType, name: string): StepResult | undefined;
  /** Throws UnknownPhaseError for a phase the template does not declare. */
  checkPhase(phase: string): void;
  /** Delivers a cancel (throws) or parks the call (returns a promise that never settles). */
  gate(): Promise<never> | undefined;
  enterPhase(phase: string): Promise<void>;
  /** Puts the result in the checkpoint and writes it; false when nothing was written. */
  record(key: string, result: StepResult, meta: StepMeta): Promise<boolean>;
  /** Where the step's log is, as the observer reports it. */
  logRef(key: string): string;
  /** Lets a requested pause take effect once nothing is in flight. */
  settle(): void;
}

/** One memoized ctx operation: what identifies it, how it replays, what it does. */
export interface DurableOp<T> {
  key: string;
  type: StepType;
  name: string;
  /** The phase to check and enter first; undefined for calls that stay in the current one. */
  phase?: string | undefined;
  /** A recorded result other than `step_results[key]` (comments are counted, not keyed). */
  recorded?(): StepResult | undefined;
  /** Turns the recorded result into the call's answer (or throws what it recorded). */
  replay(recorded: StepResult): T;
  /** Skip the pause/cancel gate: bookkeeping that must happen even inside `finally`. */
  ungated?: boolean;
  /** After the gate, before the phase is entered: may park the run or refuse the call. */
  before?(): Promise<Promise<never> | undefined>;
  execute(call: DurableCall): Promise<T>;
}

/**
 * Every memoized ctx operation (step, exec, child run, approval, sleep, signal wait and
 * poll, comment) goes through here, so the rules of rule 1 and 2 in ARCHITECTURE.md are
 * written once: a recorded call replays without effects; otherwise its phase is checked,
 * a cancel is delivered or a pause parks it, the phase is entered, and the operation runs
 * with a {@link DurableCall} that records its result before anyone is told.
 */
export async function durableCall<T>(run: DurableRun, op: DurableOp<T>): Promise<T> {
  try {
    const recorded = op.recorded ? op.recorded() : run.memo(op.key, op.type, op.name);
    if (recorded) return op.replay(recorded);
    if (op.phase !== undefined) run.checkPhase(op.phase);
    if (!op.ungated) {
      const parked = run.gate();
      if (parked) return await parked;
    }
    const parked = await op.before?.();
    if (parked) return await parked;
    if (op.phase !== undefined) await run.enterPhase(op.phase);
    return await op.execute(new DurableCall(run, op.key));
  } finally {
    run.settle();
  }
}

/** The effects of one durable call, each observer payload built in one place. */
export class DurableCall {
  readonly started = Date.now();

  constructor(
    private run: DurableRun,
    readonly key: string,
  ) {}

  /** `onStepStarted`: the board lists the step (again on every attempt and resume). */
  async announce(
    info: { type: StepType; name: string; phase: string },
    options: { attempt?: number; status?: "running" | "waiting"; sequence?: number } = {},
  ): Promise<void> {
    await this.run.observer.onStepStarted?.({
      runId: this.run.runId,
      stepKey: this.key,
      name: info.name,
      phase: info.phase,
      type: info.type,
      attempt: options.attempt ?? 1,
      sequence: options.sequence ?? this.run.checkpoint.completed_step_ids.length,
      logDir: this.run.logRef(this.key),
      ...(options.status ? { status: options.status } : {}),
    });
  }

  /** `onStepCompleted` for an outcome that is not recorded (a failed or cancelled step). */
  async report(
    result: StepResult,
    attempt: number,
    status: StepStatus = result.status,
    agentSession?: StepAttemptResult["agentSession"],
  ): Promise<void> {
    await this.run.observer.onStepCompleted?.({
      runId: this.run.runId,
      stepKey: this.key,
      status,
      result,
      attempt,
      durationMs: Date.now() - this.started,
      ...(agentSession ? { agentSession } : {}),
    });
  }

  /** A step's events: appended to its log, then streamed to the observer (unless `silent`). */
  emitter(
    log: StepLogWriter,
    silent: () => boolean = () => false,
  ): (event: Omit<StepLogEvent, "at">) => void {
    return (event) => {
      if (silent()) return;
      const full: StepLogEvent = { at: new Date().toISOString(), ...event };
      log.append(full);
      this.run.observer.onStepProgress?.({ runId: this.run.runId, stepKey: this.key, event: full });
    };
  }

  /** Records the result without telling the observer (bookkeeping the board does not list). */
  record(result: StepResult, meta: StepMeta): Promise<boolean> {
    return this.run.record(this.key, result, meta);
  }

  /**
   * Records the result and, once it is on disk, reports it. False when nothing was
   * written (the process is "dead"): then nothing is announced. `alongside` (the step's
   * log files) starts once the record is on its way and is done before the report too, so
   * the two overlap instead of adding up.
   */
  async complete(
    result: StepResult,
    meta: StepMeta,
    agentSession?: StepAttemptResult["agentSession"],
    alongside?: () => Promise<void>,
  ): Promise<boolean> {
    const recording = this.run.record(this.key, result, meta);
    const [written] = await Promise.all([recording, alongside?.()]);
    if (!written) return false;
    await this.report(result, meta.attempt, result.status, agentSession);
    return true;
  }

  /** A call that is not a step attempt (approval, signal, sleep, child run): shown, then recorded. */
  async settle(result: StepResult, meta: StepMeta, displayName = meta.name): Promise<boolean> {
    await this.announce({ ...meta, name: displayName }, { status: "running" });
    return this.complete(result, meta);
  }
}
