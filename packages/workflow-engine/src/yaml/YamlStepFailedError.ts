import type { SerializedError } from "../types/step.js";

/** A YAML step failed and nothing (onFailure, continueOnError) handles it: the run fails. */
export class YamlStepFailedError extends Error {
  override readonly name = "YamlStepFailedError";
  readonly code = "YAML_STEP_FAILED";
  readonly stepId: string;
  readonly stepError: SerializedError | undefined;

  constructor(stepId: string, reason: string, stepError?: SerializedError) {
    super(`step "${stepId}" failed: ${reason}`);
    this.stepId = stepId;
    this.stepError = stepError;
  }
}
