import { EngineError } from "./EngineError.js";

/** A step or rewind names a phase the template does not declare. */
export class UnknownPhaseError extends EngineError {
  readonly code = "UNKNOWN_PHASE";
  override readonly name = "UnknownPhaseError";
}
