import type { StaticStep, WorkflowDefinition } from "../types/definition.js";
import { createYamlExecute } from "./createYamlExecute.js";
import type { YamlStep, YamlTemplate } from "./yamlTemplateSchema.js";

/** A validated YAML template as the engine's one definition model. */
export function yamlDefinition(template: YamlTemplate): WorkflowDefinition {
  const definition: WorkflowDefinition = {
    name: template.name,
    phases: template.phases,
    argsSchema: template.argsSchema ?? { type: "object" },
    steps: staticSteps([...template.steps, ...(template.finally ?? [])]),
    execute: createYamlExecute(template) as WorkflowDefinition["execute"],
  };
  if (template.description !== undefined) definition.description = template.description;
  if (template.triggers !== undefined) definition.triggers = template.triggers;
  if (template.workspace !== undefined) definition.workspace = template.workspace;
  if (template.budget !== undefined) definition.budget = template.budget;
  return definition;
}

/** Leaf steps in declaration order; a parallel group contributes its children. */
function staticSteps(steps: YamlStep[]): StaticStep[] {
  return steps.flatMap((step): StaticStep[] =>
    step.type === "parallel"
      ? staticSteps(step.parallel)
      : [{ id: step.id, name: step.name ?? step.id, phase: step.phase, type: step.type }],
  );
}
