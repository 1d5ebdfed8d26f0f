import { EngineError } from "./EngineError.js";

/** Resuming a run this executor never held needs its definition. */
export class DefinitionRequiredError extends EngineError {
  readonly code = "DEFINITION_REQUIRED";
  override readonly name = "DefinitionRequiredError";
}
