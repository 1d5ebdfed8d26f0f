import { z } from "zod";
import type { WorkflowContext } from "../types/context.js";
import type { Budget, WorkflowDefinition, WorkflowTrigger } from "../types/definition.js";
import { budgetSchema } from "./budgetSchema.js";

/**
 * Marks objects made by defineWorkflow. A registered symbol, because a template's bundle
 * carries its own copy of this module.
 */
export const WORKFLOW_DEFINITION = Symbol.for("phaseboard.workflow-definition");

// biome-ignore lint/complexity/noBannedTypes: the schema of a template without arguments
type NoArgs = z.ZodObject<{}>;

export interface DefineWorkflowInput<Schema extends z.ZodType> {
  name: string;
  description?: string;
  phases: string[];
  /** The run's arguments; a template without one takes none (`{}`). */
  argsSchema?: Schema;
  triggers?: WorkflowTrigger[];
  workspace?: "worktree" | "shared";
  /** Pause a run before its next agent step once it has spent this much. */
  budget?: Budget;
  execute(ctx: WorkflowContext<z.output<Schema>>): Promise<unknown>;
}

/**
 * Declares a TypeScript workflow template. The zod `argsSchema` types `ctx.args` and
 * becomes the JSON Schema that the board, the CLI and `validateArgs` use.
 *
 * @example
 * export default defineWorkflow({
 *   name: "Greet",
 *   phases: ["work"],
 *   argsSchema: z.object({ who: z.string() }),
 *   async execute(ctx) {
 *     await ctx.step("hello", { phase: "work", type: "script", command: ["echo", ctx.args.who] });
 *   },
 * });
 */
export function defineWorkflow<Schema extends z.ZodType = NoArgs>(
  input: DefineWorkflowInput<Schema>,
): WorkflowDefinition<z.output<Schema>> {
  const definition: WorkflowDefinition<z.output<Schema>> = {
    name: input.name,
    phases: [...input.phases],
    // `io: "input"`: the schema callers must satisfy (defaults are optional to them).
    argsSchema: z.toJSONSchema(input.argsSchema ?? z.object({}), {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>,
    execute: (ctx) => input.execute(ctx),
  };
  if (input.description !== undefined) definition.description = input.description;
  if (input.triggers !== undefined) definition.triggers = input.triggers;
  if (input.workspace !== undefined) definition.workspace = input.workspace;
  if (input.budget !== undefined) {
    const budget = budgetSchema.safeParse(input.budget);
    if (!budget.success) {
      throw new Error(
        `budget: ${budget.error.issues.map((i) => `${i.path.join(".") || "budget"} ${i.message}`).join("; ")}`,
      );
    }
    definition.budget = budget.data;
  }
  Object.defineProperty(definition, WORKFLOW_DEFINITION, { value: true });
  return definition;
}

export function isWorkflowDefinition(value: unknown): value is WorkflowDefinition {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<symbol, unknown>)[WORKFLOW_DEFINITION] === true
  );
}
