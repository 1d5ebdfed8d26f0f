/**
 * A project's own agent CLI, declared in `.agent/agents/<name>.yaml` and used as
 * `agent: <name>` in a step. This is the validated shape: the workflow engine's loader
 * reads the file, checks it and resolves a relative `command` against the project.
 */
export interface AgentDeclaration {
  /** The file name without `.yaml`; what steps write in `agent:`. */
  name: string;
  /** A name looked up on PATH, or an absolute path (the loader resolves relative ones). */
  command: string;
  /** Argument template: see `expandArgTemplate`. */
  args: readonly AgentArgTemplate[];
  /** Whether the prompt is an argument (`{prompt}` in `args`) or written to stdin. */
  prompt: "argument" | "stdin";
  /** Which built-in dialect parses stdout, or `text` for plain lines. */
  output: DeclaredAgentOutput;
  /** Arguments that continue a session (must hold `{session}`); JSONL outputs only. */
  resume?: readonly AgentArgTemplate[];
  /** Variables added to the CLI's environment. */
  env?: Readonly<Record<string, string>>;
  /** Shown when the command cannot be found, e.g. "npm install -g my-agent". */
  install?: string;
  description?: string;
  /** The declaration's file, for messages. */
  file?: string;
}

/**
 * One element of an argument template: a string, dropped when it names a placeholder with
 * no value, or a group of strings kept or dropped together (`["--model", "{model}"]`).
 */
export type AgentArgTemplate = string | readonly string[];

export const DECLARED_AGENT_OUTPUTS = ["claude", "codex", "gemini", "text"] as const;
export type DeclaredAgentOutput = (typeof DECLARED_AGENT_OUTPUTS)[number];

export const DECLARED_AGENT_PROMPT_MODES = ["argument", "stdin"] as const;

/**
 * Placeholders an argument template may use. `{session}` has a value only when a session
 * is resumed, `{model}` only when the step names one; `{resume}` stands alone and marks
 * where the `resume` arguments go.
 */
export const AGENT_ARG_PLACEHOLDERS = [
  "prompt",
  "model",
  "session",
  "cwd",
  "permission",
  "resume",
] as const;
export type AgentArgPlaceholder = (typeof AGENT_ARG_PLACEHOLDERS)[number];

/** The names of the adapters built into agent-cli; a declaration may not take one. */
export const BUILT_IN_AGENTS = ["claude", "codex", "gemini"] as const;
