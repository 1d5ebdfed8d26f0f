import { EngineError } from "./EngineError.js";

/** A script step's process could not start or exited non-zero. */
export class ScriptFailedError extends EngineError {
  readonly code = "SCRIPT_FAILED";
  override readonly name = "ScriptFailedError";
  readonly exitCode?: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options);
    this.exitCode = options?.exitCode;
  }
}
