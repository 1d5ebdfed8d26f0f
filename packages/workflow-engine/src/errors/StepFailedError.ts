import type { SerializedError } from "../types/step.js";
import { EngineError } from "./EngineError.js";

/** A step failed after all its attempts; `cause` is the last attempt's error. */
export class StepFailedError extends EngineError {
  readonly code = "STEP_FAILED";
  override readonly name = "StepFailedError";
  constructor(
    readonly stepKey: string,
    readonly attempts: number,
    readonly lastError: SerializedError,
    options?: { cause?: unknown },
  ) {
    super(`step "${stepKey}" failed after ${attempts} attempt(s): ${lastError.message}`, options);
  }
}
