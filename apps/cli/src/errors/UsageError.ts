import { CliError } from "./CliError.js";

/** The command line is wrong: an argument or flag the user must fix. Exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? "USAGE", exitCode: 2, cause: options.cause });
    this.name = "UsageError";
  }
}
