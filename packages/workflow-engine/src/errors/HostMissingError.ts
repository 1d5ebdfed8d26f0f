import { EngineError } from "./EngineError.js";

/** A ctx call needs a RunHost capability the executor was not given. */
export class HostMissingError extends EngineError {
  readonly code = "HOST_MISSING";
  override readonly name = "HostMissingError";
}
