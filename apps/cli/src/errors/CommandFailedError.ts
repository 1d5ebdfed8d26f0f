import { CliError } from "./CliError.js";

/** The command was well formed but what it asked for failed. Exit code 1. */
export class CommandFailedError extends CliError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? "FAILED", exitCode: 1, cause: options.cause });
    this.name = "CommandFailedError";
  }
}
