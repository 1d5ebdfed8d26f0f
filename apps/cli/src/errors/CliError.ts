/**
 * An error the command reports as one line on stderr. `exitCode` 2 means the command
 * line was wrong (usage), 1 means the operation failed.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;
  constructor(message: string, options: { code: string; exitCode: 1 | 2; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.code = options.code;
    this.exitCode = options.exitCode;
  }
}
