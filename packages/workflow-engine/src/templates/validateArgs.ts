import type { WorkflowDefinition } from "../types/definition.js";
import { ArgsValidationError } from "./ArgsValidationError.js";
import { argsSchemaValidator, describeAjvError } from "./argsSchemaValidator.js";

/**
 * Checks a run's arguments against the template's JSON Schema before the run starts.
 * Returns a copy with schema defaults filled in; throws ArgsValidationError naming each
 * field, e.g. `environment: must be one of dev, staging, production`.
 *
 * @example
 * const args = validateArgs(loaded.definition, { environment: "dev" });
 */
export function validateArgs(
  definition: Pick<WorkflowDefinition, "argsSchema">,
  args: unknown,
): Record<string, unknown> {
  const copy = args === undefined ? {} : structuredClone(args);
  const validate = argsSchemaValidator(definition.argsSchema);
  if (!validate(copy)) {
    const seen = new Set<string>();
    const issues = (validate.errors ?? []).map(describeAjvError).filter((issue) => {
      const key = `${issue.path}\u0000${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    throw new ArgsValidationError(
      issues.length > 0 ? issues : [{ path: "", message: "are invalid" }],
    );
  }
  if (copy === null || typeof copy !== "object" || Array.isArray(copy)) {
    throw new ArgsValidationError([{ path: "", message: "must be an object" }]);
  }
  return copy as Record<string, unknown>;
}
