import { EngineError } from "./EngineError.js";

/** The run's executions directory cannot be created or written. */
export class ExecutionsDirNotWritableError extends EngineError {
  readonly code = "EXECUTIONS_DIR_NOT_WRITABLE";
  override readonly name = "ExecutionsDirNotWritableError";
}
