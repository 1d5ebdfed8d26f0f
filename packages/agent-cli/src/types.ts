/**
 * The public contract of agent-cli: how the engine runs an agent step and what it hears
 * back. Implemented by `runAgent` (see runAgent.ts).
 */
import type { AgentDeclaration } from "./declared/AgentDeclaration.js";

export type AgentPermission = "default" | "plan" | "acceptEdits" | "bypassPermissions";

/** One event type for every agent CLI's JSONL dialect. */
export type AgentEvent =
  | { type: "init"; sessionId: string; model?: string; raw?: unknown }
  | { type: "message"; text: string; raw?: unknown }
  | { type: "tool_call"; id?: string; name: string; input: unknown; raw?: unknown }
  | { type: "tool_result"; id?: string; output: string; isError: boolean; raw?: unknown }
  | { type: "usage"; usage: AgentUsage; raw?: unknown }
  | {
      type: "result";
      status: "success" | "error";
      text?: string;
      /** Only Claude reports a cost. */
      costUsd?: number;
      raw?: unknown;
    }
  | { type: "error"; message: string; raw?: unknown }
  | { type: "stderr"; text: string }
  /** Every original stdout line, so events.jsonl loses nothing. */
  | { type: "raw"; line: string };

export interface AgentUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  totalTokens?: number;
}

/** An MCP server over streamable HTTP, with the headers (a bearer token) it needs. */
export interface AgentMcpServer {
  url: string;
  headers?: Readonly<Record<string, string>>;
}

export interface RunAgentOptions {
  /** A built-in agent (claude, codex, gemini) or a key of `declaredAgents`. */
  agent: string;
  /** The project's declared agents, by name (see `.agent/agents/<name>.yaml`). */
  declaredAgents?: Readonly<Record<string, AgentDeclaration>>;
  prompt: string;
  cwd: string;
  permission?: AgentPermission;
  model?: string;
  /** Continue the agent's own session (`--resume=<id>` and friends). */
  resumeSessionId?: string;
  env?: Record<string, string>;
  /**
   * MCP servers (streamable HTTP) the agent gets for this run, by name: Claude Code
   * through `--mcp-config`, Codex through `-c mcp_servers.<name>.…`, Gemini through a
   * system settings file of the run's own (`GEMINI_CLI_SYSTEM_SETTINGS_PATH`, removed when
   * the run ends), and a declared agent as JSON in `PHASEBOARD_MCP_CONFIG`.
   */
  mcpServers?: Readonly<Record<string, AgentMcpServer>>;
  signal?: AbortSignal;
  /** Milliseconds. */
  timeout?: number;
  onEvent?: (event: AgentEvent) => void;
  /** Called with the CLI's pid, which leads its own process group, once it is spawned. */
  onSpawn?: (pid: number) => void;
  /**
   * Milliseconds between the steps of a shutdown (SIGINT, then SIGTERM, then SIGKILL).
   * Default 5000, as the official Claude SDK waits.
   */
  killGraceMs?: number;
  /**
   * Milliseconds a CLI may keep running after its final `result` line before it is
   * ended. Default 3000.
   */
  resultGraceMs?: number;
}

export interface AgentRunResult {
  status: "completed" | "failed" | "cancelled" | "timed_out";
  sessionId?: string;
  resultText?: string;
  usage?: AgentUsage;
  costUsd?: number;
  durationMs: number;
  exitCode: number | null;
  /** The signal that ended the CLI's process, when one did. */
  signal?: string;
  sessionLogPath?: string;
  error?: string;
}

export type AgentRunner = (options: RunAgentOptions) => Promise<AgentRunResult>;
