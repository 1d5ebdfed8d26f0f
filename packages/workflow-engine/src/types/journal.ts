import type { StepAttemptResult } from "../steps/StepAttempt.js";
import type { DefinitionSnapshot } from "./definition.js";
import type { RunOutcome } from "./executor.js";
import type { AgentStepConfig, ScriptStepConfig } from "./step.js";

/**
 * One attempt of a script or agent step as plain data, so it can run in another process
 * (a `phaseboard worker` on the machine that holds the run's worktree).
 */
export interface StepJob {
  runId: string;
  stepKey: string;
  attempt: number;
  type: "script" | "agent";
  /** The step's configuration as the template wrote it. */
  config: ScriptStepConfig | AgentStepConfig;
  /** `ctx.exec`: a non-zero exit is a result, not a failure. */
  allowNonZeroExit?: boolean;
  /** The run's working directory on the worker's machine. */
  workdir: string;
  /** The step's timeout for this attempt (ms); the worker enforces it. */
  timeoutMs?: number;
  /** An agent session an interrupted attempt left, to continue. */
  resumeSessionId?: string;
  /** The run's variables for its steps (ExecutorOptions.runEnvironment: PHASEBOARD_PORT…). */
  env?: Readonly<Record<string, string>>;
}

/** What a job's attempt came to, as it crosses the journal. */
export type StepJobOutcome =
  | { ok: true; result: StepAttemptResult }
  | {
      ok: false;
      error: import("./step.js").SerializedError;
      /** The step asked for no further attempts (NonRetriableStepError). */
      nonRetriable?: boolean;
    };

/**
 * Where a run's effects are journaled when a durable engine (Restate) executes it instead
 * of this process's checkpoint files. The engine still decides everything — memo keys,
 * phases, retries, signals — and asks the journal only for the two things whose result
 * must survive the process: a step attempt and a timer. Replaying a journaled attempt
 * answers its recorded outcome without running it again.
 */
export interface RunJournal {
  /**
   * One attempt of a step. `job` is set for script and agent steps (run by a worker);
   * function steps run `local` here, and only their outcome is journaled.
   */
  attempt<T>(input: {
    key: string;
    attempt: number;
    job: StepJob | undefined;
    local: () => Promise<StepAttemptResult<T>>;
    signal: AbortSignal;
    /**
     * Set when `local` is one call of the executor's host (`ctx.sendSignal`, `ctx.mergeRun`…):
     * a journal whose host calls are journaled themselves runs `local` as it is, so the
     * host's answer is the attempt's recorded outcome (a body run inside a side-effect
     * record could not reach a host that answers through the journal).
     */
    hostCall?: boolean;
  }): Promise<StepAttemptResult<T>>;
  /** A durable timer of `ms` milliseconds (`ctx.sleep`). */
  sleep(key: string, ms: number, signal: AbortSignal): Promise<void>;
  /**
   * `ctx.run`: the child run (its id already created by the host and checkpointed) as its
   * own durable run, started and awaited through the journal, so a replayed parent never
   * starts it twice and its outcome survives the parent's process. The outcome is final
   * (completed, failed or cancelled): a child that waits does so inside its own run.
   * Unset: the child executes in this executor, as on the local backend.
   */
  child?(input: JournaledRun & { parentRunId: string }): Promise<RunOutcome>;
  /**
   * `ctx.continueAsNew`: starts the successor (its id created by the host) once this run's
   * end is recorded, as a journal entry, so a replay never starts two. Unset: the
   * successor executes in this executor.
   */
  continueAsNew?(input: JournaledRun): void;
}

/** A run the journal starts: everything it pins. */
export interface JournaledRun {
  runId: string;
  snapshot: DefinitionSnapshot;
  bundle?: string;
  args: Record<string, unknown>;
  workdir: string;
}
