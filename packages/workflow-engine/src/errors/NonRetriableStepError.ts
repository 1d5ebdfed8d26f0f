import { EngineError } from "./EngineError.js";

/** Thrown by a step to fail it at once: no further attempts are made. */
export class NonRetriableStepError extends EngineError {
  readonly code = "NON_RETRIABLE_STEP";
  override readonly name = "NonRetriableStepError";
}
