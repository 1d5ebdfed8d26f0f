import { z } from "zod";
import { artifactSchema } from "./artifacts.js";
import { commentTypeSchema, idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/** The author of a comment, as embedded in comment answers. */
export const userSchema = z.object({
  id: idSchema,
  username: z.string(),
  display_name: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

/** A comment on a run, or on one of its steps when `workflow_run_step_id` is set. */
export const commentSchema = z.object({
  id: idSchema,
  workflow_run_id: idSchema,
  workflow_run_step_id: idSchema.nullable(),
  text: z.string(),
  comment_type: commentTypeSchema,
  created_by: idSchema.nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  creator: userSchema.nullable().optional(),
});
export type Comment = z.infer<typeof commentSchema>;

/** `POST /api/workflow-executions/:id/comments`. */
export const createCommentBodySchema = z.object({
  text: z.string().trim().min(1, "must not be empty").max(100_000, "is too long"),
  /** The step's database id, for a step-level comment; it must belong to the run. */
  step_id: idSchema.optional(),
  /**
   * Always `user`: `system` and `agent` comments are written by Phaseboard and its steps,
   * never claimed by a caller, so the board can trust who said what.
   */
  comment_type: z
    .literal("user", {
      error: (issue) =>
        issue.input === "system" || issue.input === "agent"
          ? `${String(issue.input)} comments are written by Phaseboard itself; the API adds user comments only`
          : 'must be "user"',
    })
    .default("user"),
});
export type CreateCommentBody = z.input<typeof createCommentBodySchema>;

/** `GET /api/workflow-executions/:id/comments?step_id=`. */
export const listCommentsQuerySchema = z.object({ step_id: idSchema.optional() });
export type ListCommentsQuery = z.infer<typeof listCommentsQuerySchema>;

/** A comment with the artifacts attached to it, as the list answers. */
export const commentWithArtifactsSchema = commentSchema.extend({
  artifacts: z.array(artifactSchema),
});
export type CommentWithArtifacts = z.infer<typeof commentWithArtifactsSchema>;

export const commentResponseSchema = dataEnvelope(commentSchema);
export const commentListResponseSchema = dataEnvelope(z.array(commentWithArtifactsSchema));
