import type { StepConfig } from "../types/step.js";
import { runAgentStep } from "./runAgentStep.js";
import { runFunctionStep } from "./runFunctionStep.js";
import { runScriptStep } from "./runScriptStep.js";
import type { StepAttempt, StepAttemptResult } from "./StepAttempt.js";

/** One attempt of a step, by its type. */
export function runConfiguredStep<T>(
  config: StepConfig<T>,
  attempt: StepAttempt,
): Promise<StepAttemptResult<T>> {
  switch (config.type) {
    case "script":
      return runScriptStep(config, attempt) as Promise<StepAttemptResult<T>>;
    case "function":
      return runFunctionStep(config, attempt);
    case "agent":
      return runAgentStep(config, attempt) as Promise<StepAttemptResult<T>>;
    default: {
      const never: never = config;
      throw new Error(`unknown step type ${JSON.stringify(never)}`);
    }
  }
}
