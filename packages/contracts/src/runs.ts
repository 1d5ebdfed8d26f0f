import { z } from "zod";
import { argsRecordSchema, jsonDepth, MAX_ARGS_DEPTH } from "./argsSchema.js";
import { commentSchema } from "./comments.js";
import { idSchema, runStatusSchema, timestampSchema } from "./common.js";
import { workflowDefinitionSchema } from "./definitions.js";
import { dataEnvelope } from "./errors.js";
import { stepSchema } from "./steps.js";

/** One run of a template: a card on the board. */
/** A spending limit: dollars, tokens (input + output), or both; each positive. */
export const budgetSchema = z
  .strictObject({
    usd: z
      .number()
      .positive("must be a positive number")
      .finite("must be a positive number")
      .optional(),
    tokens: z
      .number()
      .int("must be a whole number")
      .positive("must be a positive number")
      .optional(),
  })
  .refine((budget) => budget.usd !== undefined || budget.tokens !== undefined, {
    message: "needs usd, tokens or both",
  });
export type Budget = z.infer<typeof budgetSchema>;

export const runSchema = z.object({
  id: idSchema,
  project_id: idSchema,
  user_id: idSchema.nullable(),
  workflow_definition_id: idSchema,
  parent_run_id: idSchema.nullable(),
  name: z.string(),
  args: z.record(z.string(), z.unknown()),
  current_phase: z.string().nullable(),
  current_step_index: z.number().int().nonnegative(),
  status: runStatusSchema,
  /** Fractional-index key ordering the card inside its column (compare as strings). */
  position: z.string(),
  state: z.record(z.string(), z.unknown()).nullable(),
  result: z.unknown().optional(),
  error_message: z.string().nullable(),
  worker_id: z.string().nullable(),
  heartbeat_at: timestampSchema.nullable(),
  /** The `phaseboard worker` running the run's steps (restate backend); null on local. */
  step_worker: z.string().nullable().optional(),
  started_at: timestampSchema.nullable(),
  completed_at: timestampSchema.nullable(),
  paused_at: timestampSchema.nullable(),
  cancelled_at: timestampSchema.nullable(),
  /** The run pauses before its next agent step once it has spent this much. */
  budget: budgetSchema.nullable().optional(),
  /** The run's own git worktree, when it has one (steps run there). */
  workspace_path: z.string().nullable().optional(),
  /** Its branch (`phaseboard/<run-slug>`), kept after the worktree is removed. */
  workspace_branch: z.string().nullable().optional(),
  /** The ref the worktree started from, and that ref's commit. */
  workspace_base_ref: z.string().nullable().optional(),
  workspace_base_commit: z.string().nullable().optional(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type Run = z.infer<typeof runSchema>;

/** `GET /api/workflow-executions/:id/diff`: what the run changed against its base. */
export const runDiffSchema = z.object({
  execution_id: idSchema,
  branch: z.string(),
  base_ref: z.string(),
  base_commit: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      /** git's letter: A added, M modified, D deleted, R renamed. */
      status: z.string(),
      additions: z.number().int().nonnegative(),
      deletions: z.number().int().nonnegative(),
    }),
  ),
  /** The unified diff of every file. */
  patch: z.string(),
});
export type RunDiff = z.infer<typeof runDiffSchema>;
export const runDiffResponseSchema = dataEnvelope(runDiffSchema);

/** `POST /api/workflow-executions/:id/merge`: bring the run's branch into its base. */
export const mergeRunBodySchema = z.object({
  /** `ff` fast-forwards the base to the run's branch; `squash` adds one commit. */
  mode: z.enum(["ff", "squash"]).default("squash"),
  /** The commit message (default: the run's name). */
  message: z.string().trim().min(1, "must not be empty").max(5_000, "is too long").optional(),
});
export type MergeRunBody = z.input<typeof mergeRunBodySchema>;
export const mergeResultResponseSchema = dataEnvelope(
  z.object({
    execution_id: idSchema,
    mode: z.enum(["ff", "squash"]),
    base_ref: z.string(),
    /** The base branch's commit after the merge. */
    commit: z.string(),
  }),
);

/** One review comment on a line of the run's diff. */
export const reviewCommentSchema = z
  .object({
    /** The file, as the diff names it (its new path). */
    path: z.string().trim().min(1, "must not be empty").max(4_096, "is too long"),
    /** The line number on `side`, from 1. */
    line: z.number().int("must be a whole number").positive("must be 1 or more"),
    /** `new`: a line of the run's version (added or unchanged); `old`: a removed line. */
    side: z.enum(["old", "new"]).default("new"),
    body: z.string().trim().min(1, "must not be empty").max(20_000, "is too long"),
  })
  .strict();
export type ReviewComment = z.input<typeof reviewCommentSchema>;

/**
 * `POST /api/workflow-executions/:id/review`: the comments become a follow-up that
 * resumes an agent step's session in the run's worktree.
 */
export const reviewRunBodySchema = z
  .object({
    comments: z
      .array(reviewCommentSchema)
      .min(1, "a review needs at least one comment")
      .max(500, "at most 500 comments per review"),
    /** What the whole review says, above the line comments. */
    summary: z.string().trim().max(20_000, "is too long").optional(),
    /** The agent step (row id) whose session continues; default the run's newest one. */
    step_id: idSchema.optional(),
  })
  .strict();
export type ReviewRunBody = z.input<typeof reviewRunBodySchema>;
export const reviewResultResponseSchema = dataEnvelope(
  z.object({
    execution_id: idSchema,
    /** The follow-up step's row id and key (`review-1`, `review-2`…). */
    step_id: idSchema,
    step_key: z.string(),
    /** The agent step whose session the follow-up resumes. */
    resumes_step_id: idSchema,
    agent: z.string(),
    session_id: z.string(),
    comments: z.number().int().positive(),
  }),
);

/** Counts shown on a card. */
export const runCountsSchema = z.object({
  comments: z.number().int().nonnegative(),
  artifacts: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
});

/** A card in the run list: the run, its template's summary and counts. */
export const runSummarySchema = runSchema.extend({
  workflow_definition: workflowDefinitionSchema
    .pick({ id: true, name: true, identifier: true, phases: true })
    .nullable(),
  _count: runCountsSchema,
  /**
   * The run's steps that are running or waiting, oldest first: the card's current step and
   * any approval its agent asks for, so a card read after those events still shows them.
   */
  steps: z.array(stepSchema).optional(),
  /** What the run's own agent steps cost (dollars) and used (input + output tokens). */
  cost_usd: z.number().nonnegative().optional(),
  tokens: z.number().int().nonnegative().optional(),
  /** The runs this run waits for (its prerequisites), so the board can draw the links. */
  after_ids: z.array(idSchema).optional(),
  /** The pull request opened from the run's branch, as last refreshed. */
  pull_request: z
    .object({
      url: z.string(),
      number: z.number().int(),
      state: z.enum(["open", "merged", "closed"]),
      checks: z.enum(["passing", "failing", "pending", "none"]),
    })
    .nullable()
    .optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** The other end of a card dependency. */
export const linkedRunSchema = z.object({
  id: idSchema,
  name: z.string(),
  status: runStatusSchema,
  error_message: z.string().nullable(),
});
export type LinkedRun = z.infer<typeof linkedRunSchema>;

/** `POST /api/workflow-executions/:id/prerequisites`: a run that has not started waits for more runs. */
export const linkRunBodySchema = z
  .object({ after: z.array(idSchema).min(1, "name at least one run").max(50, "at most 50 runs") })
  .strict();
export type LinkRunBody = z.infer<typeof linkRunBodySchema>;

/** `GET /api/workflow-executions/:id`: the run with its steps, comments and template. */
export const runDetailSchema = runSchema.extend({
  /** The runs it waits for (`after`) and the runs waiting for it. */
  prerequisites: z.array(linkedRunSchema).optional(),
  dependents: z.array(linkedRunSchema).optional(),
  steps: z.array(stepSchema),
  comments: z.array(commentSchema),
  workflow_definition: workflowDefinitionSchema.nullable(),
  _count: runCountsSchema,
});
export type RunDetail = z.infer<typeof runDetailSchema>;

/** `POST /api/workflow-executions`. `args` are checked against the template's `args_schema`. */
export const createRunBodySchema = z.object({
  project_id: idSchema,
  workflow_definition_id: idSchema,
  /** Defaults to the template's name. */
  name: z.string().trim().min(1, "must not be empty").max(500, "is too long").optional(),
  args: argsRecordSchema.default({}),
  parent_run_id: idSchema.optional(),
  /** Overrides the template's budget for this run. */
  budget: budgetSchema.optional(),
  /** The branch or commit the run's worktree starts from (default: the project's HEAD). */
  base: z.string().trim().min(1, "must not be empty").max(250, "is too long").optional(),
  /**
   * Runs of the same project this one starts after: it is `blocked` until all of them
   * have completed, then starts by itself.
   */
  after: z.array(idSchema).max(50, "at most 50 runs").optional(),
});
export type CreateRunBody = z.input<typeof createRunBodySchema>;

/** A comma-separated list or a repeated parameter, e.g. `status=running,paused`. */
function listParam<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      typeof value === "string"
        ? value.split(",").filter(Boolean)
        : Array.isArray(value)
          ? value.flatMap((v) => String(v).split(",")).filter(Boolean)
          : value,
    z.array(item).min(1),
  );
}

/** The page size when `limit` is not given. */
export const DEFAULT_RUN_PAGE = 50;

/** The largest page the run list returns. */
export const MAX_RUN_PAGE = 500;

/** `GET /api/workflow-executions`: paginated by cursor, newest first. */
export const listRunsQuerySchema = z.object({
  project_id: idSchema.optional(),
  status: listParam(runStatusSchema).optional(),
  phase: z.string().min(1).optional(),
  /** The template's id. */
  workflow_definition_id: idSchema.optional(),
  /** Include archived runs. */
  include_archived: z.stringbool().optional(),
  limit: z.coerce
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_RUN_PAGE, `must be at most ${MAX_RUN_PAGE}`)
    // A column rarely shows more than 50 cards before the board asks for the next page.
    .default(DEFAULT_RUN_PAGE),
  /** `next_cursor` of the previous page. */
  cursor: z.string().min(1).optional(),
});
export type ListRunsQuery = z.input<typeof listRunsQuerySchema>;

export const pageInfoSchema = z.object({
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
  limit: z.number().int(),
});
export type PageInfo = z.infer<typeof pageInfoSchema>;

export const runListResponseSchema = z.object({
  data: z.array(runSummarySchema),
  page: pageInfoSchema,
});
export type RunListResponse = z.infer<typeof runListResponseSchema>;

/** `POST /api/workflow-executions/:id/pause`. */
export const pauseRunBodySchema = z
  .object({
    /** Also interrupt the running step (it goes back to pending). */
    now: z.boolean().default(false),
  })
  .default({ now: false });
export type PauseRunBody = z.input<typeof pauseRunBodySchema>;

/** `POST /api/workflow-executions/:id/rewind`: rerun from a phase, keeping earlier steps. */
export const rewindRunBodySchema = z.object({
  phase: z.string().min(1, "must name a phase"),
  /** Run the rest with the template as it is now rather than the pinned version. */
  use_current_template: z.boolean().default(false),
});
export type RewindRunBody = z.input<typeof rewindRunBodySchema>;

/** `POST /api/workflow-executions/:id/signals/:name`. */
export const signalParamsSchema = z.object({
  id: idSchema,
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:-]+$/, "must contain only letters, digits and . _ : -"),
});
export type SignalParams = z.infer<typeof signalParamsSchema>;
export const signalBodySchema = z
  .object({
    payload: z
      .unknown()
      .optional()
      .refine((payload) => jsonDepth(payload, MAX_ARGS_DEPTH) <= MAX_ARGS_DEPTH, {
        message: `is nested more than ${MAX_ARGS_DEPTH} levels deep`,
      }),
  })
  .default({ payload: undefined });
export type SignalBody = z.input<typeof signalBodySchema>;

/** `POST /api/workflow-executions/:id/approvals/:stepId`: answer an approval step. */
export const approvalParamsSchema = z.object({ id: idSchema, stepId: z.string().min(1) });
export type ApprovalParams = z.infer<typeof approvalParamsSchema>;
export const approvalBodySchema = z.object({
  approved: z.boolean(),
  comment: z.string().max(100_000).optional(),
});
export type ApprovalBody = z.infer<typeof approvalBodySchema>;

/**
 * `PATCH /api/workflow-executions/:id`: move a card within its column. Send the ids of the
 * neighbours it was dropped between (the server computes a key between theirs), or a
 * `position` key computed by the client.
 */
export const updateRunBodySchema = z
  .object({
    name: z.string().trim().min(1).max(500).optional(),
    position: z.string().min(1).optional(),
    /** The card now above this one (null: top of the column). */
    after_id: idSchema.nullable().optional(),
    /** The card now below this one (null: bottom of the column). */
    before_id: idSchema.nullable().optional(),
    archived: z.boolean().optional(),
    /** A new budget; a run paused by its budget goes on when the new one allows it. */
    budget: budgetSchema.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "must change at least one of name, position, after_id, before_id, archived, budget",
  });
export type UpdateRunBody = z.infer<typeof updateRunBodySchema>;

/** `GET /api/workflow-executions/:id/state`: what the template published with `ctx.setState`. */
export const runStateSchema = z.object({
  execution_id: idSchema,
  status: runStatusSchema,
  current_phase: z.string().nullable(),
  state: z.record(z.string(), z.unknown()).nullable(),
});
export type RunState = z.infer<typeof runStateSchema>;

export const runResponseSchema = dataEnvelope(runSchema);
export const runDetailResponseSchema = dataEnvelope(runDetailSchema);
export const runStateResponseSchema = dataEnvelope(runStateSchema);

/** `POST /api/hooks/:definitionId`: start a run from a webhook trigger. */
export const webhookParamsSchema = z.object({ definitionId: idSchema });
export const webhookBodySchema = z
  .object({ args: argsRecordSchema.default({}), name: z.string().optional() })
  .default({ args: {} });
export type WebhookBody = z.input<typeof webhookBodySchema>;

/** Tokens and dollars spent by agent steps. */
export const usageTotalsSchema = z.object({
  agent_steps: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cached_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

/** `GET /api/workflow-executions/:id/usage`: per step and phase, and in all (child runs included). */
export const runUsageResponseSchema = dataEnvelope(
  z.object({
    execution_id: idSchema,
    budget: budgetSchema.nullable(),
    total: usageTotalsSchema,
    by_phase: z.record(z.string(), usageTotalsSchema),
    steps: z.array(
      z.object({
        step_id: idSchema,
        execution_id: idSchema,
        step_key: z.string(),
        name: z.string(),
        phase: z.string(),
        model: z.string().nullable(),
        input_tokens: z.number().int().nonnegative(),
        output_tokens: z.number().int().nonnegative(),
        cached_tokens: z.number().int().nonnegative(),
        cost_usd: z.number().nonnegative(),
      }),
    ),
  }),
);

/** `GET /api/projects/:id/usage`: per board column (`__queued`, `phase:<name>`, `__done`) and in all. */
export const projectUsageQuerySchema = z.object({ workflow_definition_id: idSchema.optional() });
export const projectUsageResponseSchema = dataEnvelope(
  z.object({
    project_id: idSchema,
    total: usageTotalsSchema,
    by_column: z.record(z.string(), usageTotalsSchema),
    /** Every run of the project, archived ones too: what the project budget counts. */
    lifetime: usageTotalsSchema.optional(),
    /** The project budget from `.agent/phaseboard.yaml`, if any. */
    budget: budgetSchema.nullable().optional(),
  }),
);
