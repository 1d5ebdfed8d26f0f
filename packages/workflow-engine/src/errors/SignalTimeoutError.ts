import { EngineError } from "./EngineError.js";

/** `ctx.waitForSignal` reached its timeout before the signal arrived. */
export class SignalTimeoutError extends EngineError {
  readonly code = "SIGNAL_TIMEOUT";
  override readonly name = "SignalTimeoutError";
}
