import { EngineError } from "./EngineError.js";

/** An agent step ran on an executor without `runAgent`. */
export class AgentRunnerMissingError extends EngineError {
  readonly code = "AGENT_RUNNER_MISSING";
  override readonly name = "AgentRunnerMissingError";
}
