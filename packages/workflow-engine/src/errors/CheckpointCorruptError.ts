import { EngineError } from "./EngineError.js";

/** No checkpoint of the run could be read. */
export class CheckpointCorruptError extends EngineError {
  readonly code = "CHECKPOINT_CORRUPT";
  override readonly name = "CheckpointCorruptError";
}
