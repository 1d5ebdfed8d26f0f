import { z } from "zod";
import { artifactSchema } from "./artifacts.js";
import { commentSchema } from "./comments.js";
import { idSchema, stepStatusSchema, stepTypeSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/** The headless agent CLI session behind an agent step. */
export const agentSessionSchema = z.object({
  id: idSchema,
  agent: z.string(),
  session_id: z.string(),
  model: z.string().nullable(),
  status: z.string(),
  input_tokens: z.number().int().nullable(),
  output_tokens: z.number().int().nullable(),
  cached_tokens: z.number().int().nullable(),
  cost_usd: z.number().nullable(),
  session_log_path: z.string().nullable(),
});
export type AgentSession = z.infer<typeof agentSessionSchema>;

/** One step of a run; `step_id` is the memo key (`build`, `build#2` on a revisit). */
export const stepSchema = z.object({
  id: idSchema,
  workflow_run_id: idSchema,
  step_id: z.string(),
  name: z.string(),
  phase: z.string(),
  type: stepTypeSchema,
  status: stepStatusSchema,
  attempt: z.number().int().positive(),
  sequence: z.number().int().nonnegative(),
  /** Relative to the project root: `.agent/workflows/executions/{runId}/logs/{stepId}`. */
  log_directory_path: z.string().nullable(),
  agent_session_id: idSchema.nullable(),
  error_message: z.string().nullable(),
  started_at: timestampSchema.nullable(),
  completed_at: timestampSchema.nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  session: agentSessionSchema.nullable().optional(),
  /** What the step's agent asked a person to approve (`request_approval`), while it is open. */
  approval_request: z.object({ id: z.string(), message: z.string() }).nullable().optional(),
});
export type Step = z.infer<typeof stepSchema>;

/** `GET /api/workflow-steps/:id`. */
export const stepDetailSchema = stepSchema.extend({
  artifacts: z.array(artifactSchema),
  comments: z.array(commentSchema),
});
export type StepDetail = z.infer<typeof stepDetailSchema>;

/** Which file of `logs/{stepId}/` to read. */
export const stepLogTypeSchema = z.enum(["input", "output", "events", "summary"]);
export type StepLogType = z.infer<typeof stepLogTypeSchema>;

/** `GET /api/workflow-steps/:id/logs/:type`. */
export const stepLogParamsSchema = z.object({ id: idSchema, type: stepLogTypeSchema });
export type StepLogParams = z.infer<typeof stepLogParamsSchema>;

/**
 * `?after=N`: only the `events` lines after the Nth, for incremental tails.
 * `?offset=&limit=`: a byte range (limit at most 8 MiB, default 1 MiB); a log is read in
 * ranges, never whole.
 */
export const stepLogQuerySchema = z.object({
  after: z.coerce.number().int().nonnegative("must be 0 or more").optional(),
  offset: z.coerce.number().int().nonnegative("must be 0 or more").optional(),
  limit: z.coerce
    .number()
    .int()
    .positive("must be 1 or more")
    .max(8 * 1024 * 1024, "must be at most 8388608 (8 MiB)")
    .optional(),
});
export type StepLogQuery = z.infer<typeof stepLogQuerySchema>;

/** The content of one log file. `events` also returns the parsed lines and a cursor. */
export const stepLogSchema = z.object({
  type: stepLogTypeSchema,
  /** The step's database id. */
  step_id: idSchema,
  /** The file's text ("" when the step has not written it yet). */
  content: z.string(),
  /** Byte offset of `content` in the file, where the next range starts, the file's size. */
  offset: z.number().int().nonnegative().optional(),
  next_offset: z.number().int().nonnegative().optional(),
  size: z.number().int().nonnegative().optional(),
  /** More of the file follows `next_offset`: read on with `?offset=` (or `?after=`). */
  truncated: z.boolean().optional(),
  /** For `events`: the number of lines read so far; pass it as `?after=` next time. */
  next_after: z.number().int().nonnegative().optional(),
  /** For `events`: the JSON lines after `after`, parsed. */
  events: z.array(z.unknown()).optional(),
});
export type StepLog = z.infer<typeof stepLogSchema>;

export const stepResponseSchema = dataEnvelope(stepDetailSchema);
export const stepLogResponseSchema = dataEnvelope(stepLogSchema);
