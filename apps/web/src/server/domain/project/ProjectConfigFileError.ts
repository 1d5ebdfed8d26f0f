import type { ProjectConfigError } from "@phaseboard/contracts";

export type ProjectConfigErrorCode = "YAML_SYNTAX" | "PROJECT_CONFIG_INVALID";

/**
 * Why `.agent/phaseboard.yaml` was refused, and where: the message reads
 * `file:line:col what was expected`, like a broken template's.
 */
export class ProjectConfigFileError extends Error {
  override readonly name = "ProjectConfigFileError";
  readonly code: ProjectConfigErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    code: ProjectConfigErrorCode,
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
  }

  /** The shape the projects API returns as `config_error`. */
  toJSON(): ProjectConfigError {
    return {
      code: this.code,
      message: this.message,
      file: this.file,
      ...(this.line !== undefined && { line: this.line }),
      ...(this.column !== undefined && { column: this.column }),
    };
  }
}
