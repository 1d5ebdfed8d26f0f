/**
 * Step configuration shared by TypeScript templates (`ctx.step(id, config)`) and YAML
 * templates (each entry of `steps:`). Durations are `"250ms" | "30s" | "10m" | "2h"` or ms.
 */
export type Duration = string | number;

/** Seed 004's permission vocabulary; agent-cli maps it onto each CLI's own flags. */
export type AgentPermission = "default" | "plan" | "acceptEdits" | "bypassPermissions";

export interface RetryPolicy {
  /** Total tries including the first (1 = no retry). */
  attempts: number;
  backoff?: "fixed" | "exponential";
  /** Delay before the 2nd try (default "1s"). */
  initialDelay?: Duration;
  /** Upper bound of any delay (default "5m"). */
  maxDelay?: Duration;
  /** Full jitter on exponential delays (default true). */
  jitter?: boolean;
}

interface BaseStepConfig {
  /** Display name (defaults to the step id). */
  name?: string;
  /** Must be one of the template's phases. */
  phase: string;
  retry?: RetryPolicy;
  timeout?: Duration;
  /** A failed step does not fail the run; the result says `failed`. */
  continueOnError?: boolean;
  /**
   * Record the step as `skipped` (StepResult status "skipped", this reason in `data`)
   * without running it: a YAML step whose `if` is false. Memoized like any result.
   */
  skip?: { reason: string };
}

export interface AgentStepConfig extends BaseStepConfig {
  type: "agent";
  /** claude | codex | gemini, or a declared agent name. */
  agent: string;
  prompt: string;
  permission?: AgentPermission;
  model?: string;
  cwd?: string;
  env?: Record<string, string>;
  /**
   * `false`: the agent gets no MCP access to the board. By default it gets Phaseboard's
   * MCP server scoped to its own run (comment, attach files, publish state, start cards).
   */
  board?: boolean;
}

export interface ScriptStepConfig extends BaseStepConfig {
  type: "script";
  /** A shell command line (run with `sh -c`), or an argv array (no shell). */
  command: string | string[];
  cwd?: string;
  env?: Record<string, string>;
}

export interface FunctionStepConfig<T = unknown> extends BaseStepConfig {
  type: "function";
  fn: (step: StepRuntime) => Promise<T> | T;
}

export type StepConfig<T = unknown> = AgentStepConfig | ScriptStepConfig | FunctionStepConfig<T>;
export type StepType =
  | "agent"
  | "script"
  | "function"
  | "approval"
  | "signal"
  | "sleep"
  | "workflow";

/** What a function step receives while it runs. */
export interface StepRuntime {
  stepId: string;
  attempt: number;
  signal: AbortSignal;
  /** Appends a line to the step's events.jsonl and emits workflow.step.progress. */
  log(message: string): void;
}

/** Errors cross every boundary (checkpoints, events, logs) in this shape. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SerializedError;
}

/** Seed 004's step result, stored in checkpoints under `step_results[stepKey]`. */
export interface StepResult<T = unknown> {
  stepId: string;
  status: "completed" | "failed" | "skipped";
  data?: T;
  error?: SerializedError;
}
