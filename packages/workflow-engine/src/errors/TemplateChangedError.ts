import { EngineError } from "./EngineError.js";

/** A memoized step's recorded type or name differs from the call the template makes now. */
export class TemplateChangedError extends EngineError {
  readonly code = "TEMPLATE_CHANGED";
  override readonly name = "TemplateChangedError";
}
