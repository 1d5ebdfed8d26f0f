import { EngineError } from "./EngineError.js";

/** The run was cancelled: thrown out of the pending ctx call so `finally` blocks run. */
export class RunCancelledError extends EngineError {
  readonly code = "RUN_CANCELLED";
  override readonly name = "RunCancelledError";
}
