import { EngineError } from "./EngineError.js";

/** An agent CLI ended with a status other than completed. */
export class AgentStepFailedError extends EngineError {
  readonly code = "AGENT_STEP_FAILED";
  override readonly name = "AgentStepFailedError";
}
