import type { TemplateError } from "../types/definition.js";
import type { SerializedError } from "../types/step.js";

export type TemplateErrorCode =
  | "TEMPLATE_NOT_FOUND"
  | "TEMPLATE_UNSUPPORTED_FORMAT"
  | "YAML_SYNTAX"
  | "TEMPLATE_INVALID"
  | "UNKNOWN_STEP_TYPE"
  | "FUNCTION_STEP_IN_YAML"
  | "DUPLICATE_STEP_ID"
  | "UNKNOWN_PHASE"
  | "UNKNOWN_NEEDS"
  | "NEEDS_CYCLE"
  | "UNKNOWN_ROUTE_TARGET"
  | "ROUTING_WITH_NEEDS"
  | "EXPRESSION_SYNTAX"
  | "UNSAFE_INTERPOLATION"
  | "UNKNOWN_STEP_REFERENCE"
  | "UNKNOWN_AGENT"
  | "INVALID_CRON"
  | "INVALID_ARGS_SCHEMA"
  | "TEMPLATE_BUNDLE_FAILED"
  | "TEMPLATE_IMPORT_FAILED"
  | "TEMPLATE_NO_DEFAULT_EXPORT";

/**
 * Why a template does not load, and where: the message reads `file:line:col what was
 * expected`, so an editor or terminal can jump straight to it.
 */
export class TemplateLoadError extends Error {
  override readonly name = "TemplateLoadError";
  readonly code: TemplateErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(
    code: TemplateErrorCode,
    detail: string,
    where: {
      file: string;
      line?: number | undefined;
      column?: number | undefined;
      cause?: unknown;
    },
  ) {
    const location =
      where.line === undefined
        ? where.file
        : `${where.file}:${where.line}${where.column === undefined ? "" : `:${where.column}`}`;
    super(`${location} ${detail}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.detail = detail;
  }

  /** The JSON shape stored in LoadedTemplate and sent to the board. */
  toJSON(): TemplateError {
    const json: TemplateError = {
      name: this.name,
      code: this.code,
      message: this.message,
      file: this.file,
    };
    if (this.line !== undefined) json.line = this.line;
    if (this.column !== undefined) json.column = this.column;
    if (this.cause instanceof Error) json.cause = serializeCause(this.cause);
    return json;
  }
}

function serializeCause(error: Error): SerializedError {
  const out: SerializedError = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  return out;
}
