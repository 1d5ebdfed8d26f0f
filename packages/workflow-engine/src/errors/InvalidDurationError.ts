import { EngineError } from "./EngineError.js";

/** A duration is neither a non-negative number of ms nor like "250ms", "30s", "10m", "2h". */
export class InvalidDurationError extends EngineError {
  readonly code = "INVALID_DURATION";
  override readonly name = "InvalidDurationError";
}
