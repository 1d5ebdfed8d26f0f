import { EngineError } from "./EngineError.js";

/** One attempt of a step ran past its timeout; its process group was killed. */
export class StepTimeoutError extends EngineError {
  readonly code = "STEP_TIMEOUT";
  override readonly name = "StepTimeoutError";
}
