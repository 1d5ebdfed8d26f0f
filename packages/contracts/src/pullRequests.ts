import { z } from "zod";
import { idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/** Where a run's branch became a pull request: GitHub (`gh`) or GitLab (`glab`). */
export const pullRequestProviderSchema = z.enum(["github", "gitlab"]);
export type PullRequestProvider = z.infer<typeof pullRequestProviderSchema>;

/** `open | merged | closed`, as the host last reported it. */
export const pullRequestStateSchema = z.enum(["open", "merged", "closed"]);
export type PullRequestState = z.infer<typeof pullRequestStateSchema>;

/** The checks of the pull request's head: all passed, any failed, some running, or none. */
export const pullRequestChecksSchema = z.enum(["passing", "failing", "pending", "none"]);
export type PullRequestChecks = z.infer<typeof pullRequestChecksSchema>;

/** The pull request opened from a run's branch. */
export const pullRequestSchema = z.object({
  id: idSchema,
  workflow_run_id: idSchema,
  provider: pullRequestProviderSchema,
  url: z.string(),
  number: z.number().int(),
  remote: z.string(),
  head_branch: z.string(),
  base_branch: z.string(),
  title: z.string(),
  state: pullRequestStateSchema,
  checks: pullRequestChecksSchema,
  refreshed_at: timestampSchema.nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

/**
 * `GET /api/workflow-executions/:id/pull-request`: the run's pull request when it has one,
 * and otherwise whether one can be opened — `missing` says what is missing (no worktree,
 * no remote, no `gh`, `gh` not signed in) in words the button can show.
 */
export const pullRequestStatusSchema = z.object({
  execution_id: idSchema,
  pull_request: pullRequestSchema.nullable(),
  can_open: z.boolean(),
  missing: z.string().nullable(),
});
export type PullRequestStatus = z.infer<typeof pullRequestStatusSchema>;

export const pullRequestStatusResponseSchema = dataEnvelope(pullRequestStatusSchema);
export const pullRequestResponseSchema = dataEnvelope(pullRequestSchema);
