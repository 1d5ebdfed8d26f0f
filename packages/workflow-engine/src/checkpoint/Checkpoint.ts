import type { RunStatus } from "../types/observer.js";
import type { SerializedError, StepResult, StepType } from "../types/step.js";

/** What the engine records beside each memoized result, to detect template changes and rewind. */
export interface StepMeta {
  type: StepType;
  name: string;
  phase: string;
  attempt: number;
}

/**
 * Seed 004's checkpoint (the first six fields, unchanged) plus what durable execution
 * needs. Every file is a complete snapshot: reading the newest valid one is enough.
 */
export interface Checkpoint {
  execution_id: string;
  timestamp: string;
  current_phase: string;
  current_step_index: number;
  completed_step_ids: string[];
  step_results: Record<string, StepResult>;
  /** Same keys as step_results. */
  step_meta: Record<string, StepMeta>;
  status: RunStatus;
  /** Published state (`ctx.setState`). */
  state: Record<string, unknown>;
  /** Comments already emitted, in call order, so replay does not repeat them. */
  comment_count: number;
  /** Things started but not finished that must survive a restart, by memo key. */
  pending: {
    /** Durable sleeps and signal timeouts: ISO wake-up time. */
    timers: Record<string, string>;
    /** Child runs already created: their run ids (so a crash never creates a second). */
    children: Record<string, string>;
    /**
     * The folders of child runs started with a worktree of their own, by memo key, so a
     * resumed parent drives each child in its same worktree. Absent in older checkpoints.
     */
    child_workdirs?: Record<string, string>;
    /** Agent sessions of interrupted agent steps, passed back as resumeSessionId. */
    agent_sessions: Record<string, string>;
  };
  /**
   * Signals each memoized signal step took, by memo key: name → how many. The next wait or
   * poll for a name takes the signal after the ones taken (a rewind forgets what the
   * dropped steps took). Absent in checkpoints written before polls existed.
   */
  signals_taken?: Record<string, Record<string, number>>;
  result?: unknown;
  error?: SerializedError;
  continued_as?: string;
}

export function emptyCheckpoint(runId: string, firstPhase: string): Checkpoint {
  return {
    execution_id: runId,
    timestamp: new Date().toISOString(),
    current_phase: firstPhase,
    current_step_index: 0,
    completed_step_ids: [],
    step_results: {},
    step_meta: {},
    status: "pending",
    state: {},
    comment_count: 0,
    pending: { timers: {}, children: {}, agent_sessions: {} },
  };
}
