import { ApiError } from "../api/ApiError.js";
import { CliError } from "./CliError.js";
import { CommandFailedError } from "./CommandFailedError.js";
import { UsageError } from "./UsageError.js";

/**
 * Turns whatever a command threw into the one line the user sees and its exit code:
 * the server rejecting input (validation) is a usage error, everything else a failure.
 */
export function toCliError(error: unknown, context: { runId?: string } = {}): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ApiError) {
    if (error.status === 404 && context.runId && error.code === "NOT_FOUND") {
      return new CommandFailedError(`no run with id "${context.runId}"`, {
        code: "RUN_NOT_FOUND",
        cause: error,
      });
    }
    if (error.code === "VALIDATION_FAILED" || error.code === "BAD_REQUEST") {
      return new UsageError(error.message, { code: error.code, cause: error });
    }
    return new CommandFailedError(error.message, { code: error.code, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CommandFailedError(message.split("\n")[0] ?? message, {
    code: "UNEXPECTED",
    cause: error,
  });
}
