import { EngineError } from "./EngineError.js";

/** The operation needs the run to be idle, but this executor is executing it. */
export class RunActiveError extends EngineError {
  readonly code = "RUN_ACTIVE";
  override readonly name = "RunActiveError";
}
