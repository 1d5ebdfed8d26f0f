import type { AgentDeclaration, AgentMcpServer, AgentRunner } from "@phaseboard/agent-cli";
import type { StepLogEvent } from "../types/observer.js";

/** What the executor hands a step runner for one attempt. */
export interface StepAttempt {
  stepKey: string;
  attempt: number;
  /** Aborted on pause-now, cancel or timeout; `signal.reason` says which. */
  signal: AbortSignal;
  /** Default working directory (the run's workdir). */
  workdir: string;
  /** The run's variables (ExecutorOptions.runEnvironment); the step's `env:` goes on top. */
  env?: Readonly<Record<string, string>> | undefined;
  /** Appends to events.jsonl and emits workflow.step.progress. */
  emit(event: Omit<StepLogEvent, "at">): void;
  /**
   * Where the step records the process group it starts (see `StepProcessRecord`); a
   * group recorded there by an earlier owner is ended before this attempt starts.
   */
  processRecord?: string | undefined;
  /** How long each of SIGINT and SIGTERM gets before escalating (ms). */
  killGraceMs: number;
  runAgent?: AgentRunner;
  /** MCP servers for an agent step (see ExecutorOptions.mcpServersFor). */
  mcpServers?: Readonly<Record<string, AgentMcpServer>> | undefined;
  /** The project's declared agents, read when the step starts. */
  declaredAgents?: (() => Readonly<Record<string, AgentDeclaration>>) | undefined;
  /** A session of this step's interrupted earlier attempt, to continue. */
  resumeSessionId?: string;
  /** Called as soon as an agent reports its session id, so it is recorded durably. */
  onAgentSession?(sessionId: string): void;
}

export interface StepAttemptResult<T = unknown> {
  data: T;
  agentSession?: {
    agent: string;
    sessionId: string;
    sessionLogPath?: string;
    model?: string;
    usage?: unknown;
    costUsd?: number;
  };
}
