import type { RunStatus as ContractRunStatus, StepStatus } from "@phaseboard/contracts/runStates";
import type { SerializedError, StepResult, StepType } from "./step.js";

/** A status the engine reports: the contracts' table, less `blocked` (a run not yet started). */
export type RunStatus = Exclude<ContractRunStatus, "blocked">;

export type { StepStatus };

/** One line of a step's events.jsonl (also the payload of workflow.step.progress). */
export interface StepLogEvent {
  /** ISO time. */
  at: string;
  kind: "stdout" | "stderr" | "log" | "agent" | "system";
  text?: string;
  /** The unified agent event (from agent-cli) for `kind: "agent"`. */
  agent?: unknown;
}

/**
 * How the engine reports a run. The server implements it with Prisma and the WebSocket;
 * tests and the embedded CLI with files or memory. Order per step: the engine has already
 * written the step's files and checkpoint to disk when `onStepCompleted` is called
 * (disk first, then the observer persists, then it emits).
 * Every method may be async; the engine awaits it before going on.
 */
export interface RunObserver {
  onRunStatus?(event: {
    runId: string;
    status: RunStatus;
    error?: SerializedError;
    result?: unknown;
    /** With `running`: the worker that runs the run's steps, when not this process (restate). */
    worker?: string;
  }): void | Promise<void>;
  onPhaseChanged?(event: { runId: string; phase: string; stepIndex: number }): void | Promise<void>;
  onStepStarted?(event: {
    runId: string;
    /** Memo key: the step id, `#2`… on a revisit. */
    stepKey: string;
    name: string;
    phase: string;
    type: StepType;
    attempt: number;
    sequence: number;
    /** Relative to the project root. */
    logDir: string;
    /** `waiting`: a signal, approval, sleep or child run the step is parked on. */
    status?: Extract<StepStatus, "running" | "waiting">;
  }): void | Promise<void>;
  onStepProgress?(event: { runId: string; stepKey: string; event: StepLogEvent }): void;
  onStepCompleted?(event: {
    runId: string;
    stepKey: string;
    status: StepStatus;
    result: StepResult;
    attempt: number;
    durationMs: number;
    agentSession?: {
      agent: string;
      sessionId: string;
      sessionLogPath?: string;
      /** The model the agent reported (or was asked for). */
      model?: string;
      usage?: unknown;
      costUsd?: number;
    };
  }): void | Promise<void>;
  onComment?(event: {
    runId: string;
    stepKey?: string;
    text: string;
    type: "system" | "agent";
  }): void | Promise<void>;
  onState?(event: { runId: string; state: Record<string, unknown> }): void | Promise<void>;
  onHeartbeat?(event: { runId: string; workerId: string; at: Date }): void | Promise<void>;
  /** Something was recovered from rather than failed on (e.g. a corrupt newest checkpoint). */
  onWarning?(event: { runId: string; code: string; message: string }): void | Promise<void>;
}
