import { EngineError } from "./EngineError.js";

/** The run has completed or was cancelled, so nothing it would take (a signal) can reach it. */
export class RunEndedError extends EngineError {
  readonly code = "RUN_ENDED";
  override readonly name = "RunEndedError";
}
