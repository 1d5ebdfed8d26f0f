import { z } from "zod";
import { idSchema, runStatusSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/** Why a template file could not be loaded; the template is listed but cannot run. */
export const definitionErrorSchema = z.object({
  message: z.string(),
  code: z.string().optional(),
  /** Where in the file, when the parser knows. */
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  path: z.string().optional(),
});
export type DefinitionError = z.infer<typeof definitionErrorSchema>;

/** A trigger a template declares: on a schedule, or by a webhook. */
export const triggerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("cron"),
    /** Five- or six-field cron expression. */
    schedule: z.string(),
    timezone: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    type: z.literal("webhook"),
    /** Name of the environment variable holding the shared secret. */
    secretEnv: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

/** A template discovered under `.agent/workflows/definitions/`. */
export const workflowDefinitionSchema = z.object({
  id: idSchema,
  project_id: idSchema,
  /** Stable identifier derived from the file name (`implement-feature`). */
  identifier: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** `code` (TypeScript) or `yaml`. */
  type: z.enum(["code", "yaml"]),
  /** Path relative to the project root. */
  path: z.string(),
  /** Phase names in board order: the board's columns. */
  phases: z.array(z.string()),
  /** JSON Schema of the run arguments. */
  args_schema: z.record(z.string(), z.unknown()).nullable(),
  triggers: z.array(triggerSchema).nullable().optional(),
  /** Set when the file does not parse. */
  error: definitionErrorSchema.nullable(),
  /** The newest Build Workflow run on this version or an earlier one of the file. */
  last_build: z
    .object({ run_id: idSchema, status: runStatusSchema, finished_at: timestampSchema.nullable() })
    .nullable()
    .optional(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;

/** `GET /api/workflow-definitions?project_id=`. */
export const listDefinitionsQuerySchema = z.object({ project_id: idSchema.optional() });
export type ListDefinitionsQuery = z.infer<typeof listDefinitionsQuerySchema>;

export const definitionResponseSchema = dataEnvelope(workflowDefinitionSchema);
export const definitionListResponseSchema = dataEnvelope(z.array(workflowDefinitionSchema));
