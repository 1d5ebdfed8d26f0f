import { EngineError } from "./EngineError.js";

/** No execution directory exists for the run id. */
export class RunNotFoundError extends EngineError {
  readonly code = "RUN_NOT_FOUND";
  override readonly name = "RunNotFoundError";
}
