import type { AgentEvent, AgentMcpServer, AgentPermission } from "../types.js";

export interface AgentArgsInput {
  prompt: string;
  cwd: string;
  permission: AgentPermission;
  model?: string;
  resumeSessionId?: string;
  mcpServers?: Readonly<Record<string, AgentMcpServer>>;
}

export interface SessionLogInput {
  sessionId: string;
  cwd: string;
  /** The child's environment (HOME, CLAUDE_CONFIG_DIR, CODEX_HOME…). */
  env: Record<string, string | undefined>;
  startedAt: Date;
}

/** What a run needs beside its arguments (a settings file), and how to remove it after. */
export interface PreparedRun {
  /** Variables added to the child's environment. */
  env: Record<string, string>;
  /** Called once the CLI has exited (or failed to start). */
  cleanup(): void;
}

/** Turns one parsed JSON line of a CLI's dialect into unified events. Stateful per run. */
export type DialectParser = (json: unknown) => AgentEvent[];

/** Everything that differs between the agent CLIs. */
export interface AgentAdapter {
  /** A built-in name, or a project's declared agent. */
  readonly agent: string;
  /** Executable looked up on PATH, or an absolute path. */
  readonly command: string;
  /** npm package that provides `command` (built-in agents). */
  readonly npmPackage: string | undefined;
  /** How to install `command`, in words, when there is no npm package to name. */
  readonly installHint?: string | undefined;
  /** `jsonl` (default): one JSON event per line; `text`: each line is a message. */
  readonly stdoutFormat?: "jsonl" | "text";
  /** `argument` (default): the prompt is in the argument vector; `stdin`: written there. */
  readonly promptInput?: "argument" | "stdin";
  /** Whether `resumeSessionId` continues a session (default true). */
  readonly supportsResume?: boolean;
  /** Environment variables any one of which authenticates the CLI. */
  readonly authEnv: readonly string[];
  /** Files (relative to HOME or the CLI's config dir) holding a login, in `env`. */
  authFiles(env: Record<string, string | undefined>): string[];
  /** Argument vector, prompt included, never read as a flag. */
  buildArgs(input: AgentArgsInput): string[];
  /** Variables the CLI needs beyond the passthrough environment. */
  extraEnv(input: AgentArgsInput, isRoot: boolean): Record<string, string>;
  /**
   * Files the run needs that no argument can carry (Gemini's MCP servers live only in
   * settings files), given the child's environment; undefined when there are none.
   */
  prepareRun?(
    input: AgentArgsInput,
    env: Readonly<Record<string, string | undefined>>,
  ): PreparedRun | undefined;
  createParser(): DialectParser;
  /** Where the CLI keeps this session's transcript, when the file exists. */
  findSessionLog(input: SessionLogInput): string | undefined;
  /** A human explanation of an exit code the CLI documents, if any. */
  describeExitCode(code: number): string | undefined;
}

/** One of the adapters built into agent-cli: always an npm package to install. */
export interface BuiltInAgentAdapter extends AgentAdapter {
  readonly agent: "claude" | "codex" | "gemini";
  readonly npmPackage: string;
}
