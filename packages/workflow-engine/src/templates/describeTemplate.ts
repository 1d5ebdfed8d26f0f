import type {
  JsonSchema,
  StaticStep,
  WorkflowDefinition,
  WorkflowTrigger,
} from "../types/definition.js";

/** A dry-run plan: what a template declares and the steps it would run, by phase. */
export interface TemplatePlan {
  name: string;
  description?: string;
  argsSchema: JsonSchema;
  /** Every phase in order, with the static steps that belong to it. */
  phases: Array<{ name: string; steps: StaticStep[] }>;
  /** False for code templates: their steps are known only when they run. */
  stepsKnown: boolean;
  triggers: WorkflowTrigger[];
}

/**
 * Describes a template without running it (the Templates page, dry runs, the Build
 * Workflow). YAML templates list their steps; code templates only their phases.
 *
 * @example
 * for (const phase of describeTemplate(definition).phases) console.log(phase.name, phase.steps.length);
 */
export function describeTemplate(definition: WorkflowDefinition): TemplatePlan {
  const steps = definition.steps ?? [];
  const plan: TemplatePlan = {
    name: definition.name,
    argsSchema: definition.argsSchema,
    phases: definition.phases.map((name) => ({
      name,
      steps: steps.filter((step) => step.phase === name),
    })),
    stepsKnown: definition.steps !== undefined,
    triggers: definition.triggers ?? [],
  };
  if (definition.description !== undefined) plan.description = definition.description;
  return plan;
}
