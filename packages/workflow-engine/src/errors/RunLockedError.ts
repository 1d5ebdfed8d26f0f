import { EngineError } from "./EngineError.js";

/** Another live process (or executor) already executes this run. */
export class RunLockedError extends EngineError {
  readonly code = "RUN_LOCKED";
  override readonly name = "RunLockedError";
}
