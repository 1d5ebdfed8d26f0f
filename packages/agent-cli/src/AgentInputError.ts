export type AgentInputErrorCode =
  | "AGENT_EMPTY_PROMPT"
  | "AGENT_INVALID_PROMPT"
  | "AGENT_UNKNOWN"
  | "AGENT_CWD_NOT_FOUND"
  | "AGENT_INVALID_PERMISSION"
  | "AGENT_INVALID_SESSION_ID"
  | "AGENT_INVALID_MODEL"
  | "AGENT_INVALID_TIMEOUT";

/** Bad options given to `runAgent`: raised before any process is spawned. */
export class AgentInputError extends Error {
  override readonly name = "AgentInputError";
  readonly code: AgentInputErrorCode;
  /** The option at fault. */
  readonly field: string;

  constructor(code: AgentInputErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}
