import type { TemplateError } from "../types/definition.js";

export type AgentDeclarationErrorCode =
  | "AGENT_DECLARATION_UNREADABLE"
  | "AGENT_YAML_SYNTAX"
  | "AGENT_DECLARATION_INVALID"
  | "AGENT_NAME_INVALID"
  | "AGENT_NAME_TAKEN";

/**
 * Why a file in `.agent/agents/` does not declare an agent, and where: like a broken
 * template, the message reads `file:line:col what was expected`.
 */
export class AgentDeclarationError extends Error {
  override readonly name = "AgentDeclarationError";
  readonly code: AgentDeclarationErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(
    code: AgentDeclarationErrorCode,
    detail: string,
    where: { file: string; line?: number | undefined; column?: number | undefined },
  ) {
    const location =
      where.line === undefined
        ? where.file
        : `${where.file}:${where.line}${where.column === undefined ? "" : `:${where.column}`}`;
    super(`${location} ${detail}`);
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.detail = detail;
  }

  /** The same JSON shape a broken template's error has. */
  toJSON(): TemplateError {
    const json: TemplateError = {
      name: this.name,
      code: this.code,
      message: this.message,
      file: this.file,
    };
    if (this.line !== undefined) json.line = this.line;
    if (this.column !== undefined) json.column = this.column;
    return json;
  }
}
