import {
  ArgsValidationError,
  validateArgs as checkArgs,
  type WorkflowDefinition,
} from "@phaseboard/workflow-engine";
import { HttpError } from "../../HttpError.js";

/**
 * Checks run arguments with the engine's validator (the one the CLI and the executor use)
 * and returns them with the schema's defaults filled in. The error names each field
 * (`args.featureName: is required`), so the board can mark the right input.
 */
export function validateArgs(
  definition: Pick<WorkflowDefinition, "argsSchema">,
  args: unknown,
): Record<string, unknown> {
  try {
    return checkArgs(definition, args ?? {});
  } catch (error) {
    if (!(error instanceof ArgsValidationError)) throw error;
    throw new HttpError(
      "VALIDATION_FAILED",
      error.issues
        .map((issue) => `${issue.path === "" ? "args" : `args.${issue.path}`}: ${issue.message}`)
        .join("; "),
      error.issues,
    );
  }
}
