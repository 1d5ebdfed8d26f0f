import type { WorkflowDefinition } from "../api/types";

/** The template's parse or validation error as one message, or undefined when it is fine. */
export function templateError(definition: WorkflowDefinition): string | undefined {
  const { error } = definition;
  if (!error) return undefined;
  return typeof error === "string" ? error : error.message;
}
