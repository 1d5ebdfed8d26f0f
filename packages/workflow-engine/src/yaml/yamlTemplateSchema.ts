import { z } from "zod";
import { budgetSchema } from "../templates/budgetSchema.js";

/** `"250ms" | "30s" | "10m" | "2h" | "1d"` or a number of milliseconds. */
export const durationSchema = z.union(
  [z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/)],
  { error: 'expected a duration such as "30s", "10m", "2h" or a number of milliseconds' },
);

const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "expected an id of letters, digits, '-' and '_'");

const retrySchema = z.strictObject({
  attempts: z.number().int().min(1),
  backoff: z.enum(["fixed", "exponential"]).optional(),
  initialDelay: durationSchema.optional(),
  maxDelay: durationSchema.optional(),
  jitter: z.boolean().optional(),
});

/** `onSuccess: next` or `onSuccess: { if: "<expr>", then: a, else: b }` (seed 003). */
const routeSchema = z.union([
  idSchema,
  z
    .strictObject({
      if: z.string().optional(),
      condition: z.string().optional(),
      // biome-ignore lint/suspicious/noThenProperty: seed 003's routing spelling; parsed data is never awaited.
      then: idSchema,
      else: idSchema.optional(),
    })
    .refine((route) => (route.if ?? route.condition) !== undefined, {
      message: 'expected "if" (or "condition") with the expression that picks "then"',
    }),
]);

const commonStep = {
  id: idSchema,
  name: z.string().optional(),
  phase: z.string(),
  description: z.string().optional(),
  if: z.string().optional(),
  continueOnError: z.boolean().optional(),
  onSuccess: routeSchema.optional(),
  onFailure: idSchema.optional(),
  /** How often routing may enter this step (default 10): a loop always ends. */
  maxVisits: z.number().int().min(1).optional(),
  needs: z.array(idSchema).optional(),
  /** An expression yielding a list; the step runs once per element. */
  foreach: z.string().optional(),
  /** Name of the loop variable (default `item`). */
  as: idSchema.optional(),
  /** foreach: how many elements run at once (default 1). */
  concurrency: z.number().int().min(1).optional(),
};

// Only where the context API honours them: retries and timeouts belong to processes
// (agent, script); a signal wait may time out. Elsewhere they are unknown fields.
const runsAProcess = {
  retry: retrySchema.optional(),
  timeout: durationSchema.optional(),
};

const envSchema = z.record(z.string(), z.string());

const agentStep = z.strictObject({
  ...commonStep,
  ...runsAProcess,
  type: z.literal("agent"),
  agent: z.string(),
  prompt: z.string(),
  permission: z.enum(["default", "plan", "acceptEdits", "bypassPermissions"]).optional(),
  model: z.string().optional(),
  cwd: z.string().optional(),
  env: envSchema.optional(),
  /** `false`: no MCP access to the board for this agent. */
  board: z.boolean().optional(),
});

const scriptStep = z.strictObject({
  ...commonStep,
  ...runsAProcess,
  type: z.literal("script"),
  command: z.union([z.string(), z.array(z.string()).min(1)]),
  cwd: z.string().optional(),
  env: envSchema.optional(),
});

const approvalStep = z.strictObject({
  ...commonStep,
  type: z.literal("approval"),
  message: z.string(),
});

const workflowStep = z.strictObject({
  ...commonStep,
  type: z.literal("workflow"),
  /** A template name, identifier or path, resolved by the host. */
  workflow: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
  /** `own`: the child works in a git worktree of its own (see ctx.run). */
  workspace: z.enum(["shared", "own"]).optional(),
});

const signalStep = z.strictObject({
  ...commonStep,
  type: z.literal("signal"),
  timeout: durationSchema.optional(),
  signal: z.string(),
});

const sleepStep = z.strictObject({
  ...commonStep,
  type: z.literal("sleep"),
  duration: durationSchema,
});

/** Sends a signal to every unfinished run of another template (`to`). */
const sendSignalStep = z.strictObject({
  ...commonStep,
  type: z.literal("send-signal"),
  to: z.string().min(1),
  signal: z.string().min(1),
  payload: z.unknown().optional(),
});

/** Posts a comment on the run (a `system` comment, or `agent`), e.g. why it gave up. */
const commentStep = z.strictObject({
  ...commonStep,
  type: z.literal("comment"),
  text: z.string().min(1),
  author: z.enum(["system", "agent"]).optional(),
});

/**
 * Checks a template file with Phaseboard's own loader in the run's process (the Build
 * Workflow's parse and plan): milliseconds for YAML, no CLI started.
 */
const templateStep = z.strictObject({
  ...commonStep,
  type: z.literal("template"),
  check: z.enum(["validate", "plan"]),
  file: z.string().min(1),
  project: z.string().min(1).optional(),
});

export type YamlLeafStep =
  | z.infer<typeof templateStep>
  | z.infer<typeof sendSignalStep>
  | z.infer<typeof commentStep>
  | z.infer<typeof agentStep>
  | z.infer<typeof scriptStep>
  | z.infer<typeof approvalStep>
  | z.infer<typeof workflowStep>
  | z.infer<typeof signalStep>
  | z.infer<typeof sleepStep>;

export interface YamlGroupStep {
  id: string;
  name?: string | undefined;
  phase?: string | undefined;
  description?: string | undefined;
  if?: string | undefined;
  type: "parallel";
  /** How many children run at once (default: all). */
  concurrency?: number | undefined;
  continueOnError?: boolean | undefined;
  onSuccess?: z.infer<typeof routeSchema> | undefined;
  onFailure?: string | undefined;
  maxVisits?: number | undefined;
  needs?: string[] | undefined;
  parallel: YamlStep[];
}

export type YamlStep = YamlLeafStep | YamlGroupStep;

const groupStep = z.strictObject({
  id: idSchema,
  name: z.string().optional(),
  phase: z.string().optional(),
  description: z.string().optional(),
  if: z.string().optional(),
  type: z.literal("parallel"),
  concurrency: z.number().int().min(1).optional(),
  continueOnError: z.boolean().optional(),
  onSuccess: routeSchema.optional(),
  onFailure: idSchema.optional(),
  maxVisits: z.number().int().min(1).optional(),
  needs: z.array(idSchema).optional(),
  parallel: z.array(z.lazy((): z.ZodType<YamlStep> => stepSchema)).min(1),
});

/** The step types a YAML template may use (`function` needs TypeScript code). */
export const YAML_STEP_TYPES = [
  "agent",
  "script",
  "approval",
  "workflow",
  "signal",
  "sleep",
  "comment",
  "send-signal",
  "template",
  "parallel",
] as const;

export const stepSchema: z.ZodType<YamlStep> = z.discriminatedUnion("type", [
  agentStep,
  scriptStep,
  approvalStep,
  workflowStep,
  signalStep,
  sleepStep,
  commentStep,
  sendSignalStep,
  templateStep,
  groupStep,
]);

const triggerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("cron"),
    schedule: z.string(),
    timezone: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
  }),
  z.strictObject({
    type: z.literal("webhook"),
    /** Name of the environment variable holding the shared secret. */
    secretEnv: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
  }),
]);

export const yamlTemplateSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  phases: z.array(z.string().min(1)).min(1),
  argsSchema: z.record(z.string(), z.unknown()).optional(),
  workspace: z.enum(["worktree", "shared"]).optional(),
  budget: budgetSchema.optional(),
  /** How many `needs`-scheduled top-level steps run at once (default: all ready ones). */
  concurrency: z.number().int().min(1).optional(),
  triggers: z.array(triggerSchema).optional(),
  steps: z.array(stepSchema).min(1),
  /** Run after the steps whether they succeeded, failed or were cancelled. */
  finally: z.array(stepSchema).optional(),
});

export type YamlTemplate = z.infer<typeof yamlTemplateSchema>;
