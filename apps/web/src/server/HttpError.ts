import { type ErrorCode, errorRegistry } from "@phaseboard/contracts";

/**
 * An error that becomes `{ "error": { "code", "message" } }` with the code's HTTP status.
 *
 * @example
 * throw new HttpError("NOT_FOUND", `No workflow run ${id}`);
 */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string = errorRegistry[code].message,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
    this.statusCode = errorRegistry[code].status;
  }
}
