import { EngineError } from "./EngineError.js";

/** The host refused to start a step (its beforeAgentStep answered a reason, e.g. a budget). */
export class StepRefusedError extends EngineError {
  readonly code = "STEP_REFUSED";
  override readonly name = "StepRefusedError";
}
