import {
  approvalBodySchema,
  approvalParamsSchema,
  createRunBodySchema,
  idParamsSchema,
  linkRunBodySchema,
  listRunsQuerySchema,
  mergeResultResponseSchema,
  mergeRunBodySchema,
  pauseRunBodySchema,
  reviewResultResponseSchema,
  reviewRunBodySchema,
  rewindRunBodySchema,
  runDetailResponseSchema,
  runDiffResponseSchema,
  runListResponseSchema,
  runRefusalCodes,
  runResponseSchema,
  runStateResponseSchema,
  runUsageResponseSchema,
  signalBodySchema,
  signalParamsSchema,
  updateRunBodySchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { HttpError } from "../HttpError.js";
import { defineRoute } from "../http/defineRoute.js";

export async function runRoutes(app: FastifyInstance) {
  const { runs, manager, reviews } = app.services;
  /** The worktree is the follow-up's while it runs: nothing else may start in it or take it. */
  const notInReview = (id: string) => {
    if (reviews.busy(id)) {
      throw new HttpError(
        "REVIEW_IN_PROGRESS",
        `A review follow-up is running in run ${id}'s worktree; wait until it ends`,
      );
    }
  };
  app.addRoutes([
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions",
      summary: "Create and start a run (args are validated against the template's schema)",
      tag: "runs",
      body: createRunBodySchema,
      response: { status: 201, schema: runResponseSchema },
      errors: ["NOT_FOUND", "TEMPLATE_NOT_LOADED", "WORKTREE_UNAVAILABLE"],
      handler: async ({ body }) => ({ data: await runs.create(body) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions",
      summary: "List runs, newest first, filtered and paginated by cursor",
      tag: "runs",
      query: listRunsQuerySchema,
      response: { status: 200, schema: runListResponseSchema },
      errors: [],
      handler: async ({ query }) => {
        const list = await runs.list(query);
        const { approvals } = app.services;
        return {
          ...list,
          data: list.data.map((run) => ({ ...run, steps: approvals.withRequests(run.steps) })),
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id",
      summary: "Get a run with its steps, comments and template",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runDetailResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => {
        const run = await runs.get(params.id);
        return { data: { ...run, steps: app.services.approvals.withRequests(run.steps) } };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/diff",
      summary: "What the run changed in its worktree against its base, committed or not",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runDiffResponseSchema },
      errors: ["NOT_FOUND", "RUN_HAS_NO_WORKTREE", "WORKTREE_REMOVED"],
      handler: async ({ params }) => ({ data: await app.services.worktrees.diff(params.id) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/usage",
      summary: "Tokens and cost of the run's agent steps: per step, per phase, in all",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runUsageResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await app.services.usage.run(params.id) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/merge",
      summary: "Merge the run's branch into its base (fast-forward or squash)",
      tag: "runs",
      params: idParamsSchema,
      body: mergeRunBodySchema,
      response: { status: 200, schema: mergeResultResponseSchema },
      errors: [
        "NOT_FOUND",
        "REVIEW_IN_PROGRESS",
        "RUN_HAS_NO_WORKTREE",
        "RUN_STILL_ACTIVE",
        "MERGE_WRONG_BRANCH",
        "MERGE_DIRTY_CHECKOUT",
        "MERGE_NOT_FAST_FORWARD",
        "MERGE_CONFLICT",
      ],
      handler: async ({ params, body }) => {
        notInReview(params.id);
        return { data: await app.services.worktrees.merge(params.id, body) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/discard",
      summary: "Throw the run's work away: remove its worktree and branch, archive the run",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", "REVIEW_IN_PROGRESS", "RUN_HAS_NO_WORKTREE", "RUN_STILL_ACTIVE"],
      handler: async ({ params }) => {
        notInReview(params.id);
        return { data: await runs.discard(params.id) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/review",
      summary:
        "Send review comments on the run's diff to its agent: a follow-up step resumes the agent's session with them",
      tag: "runs",
      params: idParamsSchema,
      body: reviewRunBodySchema,
      response: { status: 202, schema: reviewResultResponseSchema },
      errors: [
        "NOT_FOUND",
        "RUN_HAS_NO_WORKTREE",
        "WORKTREE_REMOVED",
        "RUN_STILL_ACTIVE",
        "REVIEW_IN_PROGRESS",
        "NO_AGENT_SESSION",
        "BUDGET_EXCEEDED",
      ],
      handler: async ({ params, body }) => ({ data: await reviews.send(params.id, body) }),
    }),
    defineRoute({
      method: "PATCH",
      url: "/api/workflow-executions/:id",
      summary: "Rename, archive, or move a card within its column",
      tag: "runs",
      params: idParamsSchema,
      body: updateRunBodySchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", "RUN_STILL_ACTIVE"],
      handler: async ({ params, body }) => ({ data: await runs.update(params.id, body) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/pause",
      summary: "Pause before the next step (`now` also interrupts the running step)",
      tag: "runs",
      params: idParamsSchema,
      body: pauseRunBodySchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", ...runRefusalCodes("pause")],
      handler: async ({ params, body }) => {
        await runs.require(params.id);
        return { data: await manager.pause(params.id, body.now) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/resume",
      summary:
        "Resume a paused, waiting or failed run from its latest checkpoint (a failed run re-runs the step that failed)",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", "REVIEW_IN_PROGRESS", ...runRefusalCodes("resume")],
      handler: async ({ params }) => {
        await runs.require(params.id);
        notInReview(params.id);
        return { data: await manager.resume(params.id) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/cancel",
      summary: "Cancel a run (finally steps still run)",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", ...runRefusalCodes("cancel")],
      handler: async ({ params }) => {
        await runs.require(params.id);
        return { data: await manager.cancel(params.id) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/rewind",
      summary: "Rerun from a phase, keeping the results of earlier steps",
      tag: "runs",
      params: idParamsSchema,
      body: rewindRunBodySchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", "REVIEW_IN_PROGRESS", ...runRefusalCodes("rewind")],
      handler: async ({ params, body }) => {
        const run = await runs.get(params.id);
        const phases = (run.workflow_definition?.phases ?? []) as string[];
        if (!phases.includes(body.phase)) {
          throw new HttpError(
            "VALIDATION_FAILED",
            `phase: "${body.phase}" is not a phase of this template (${phases.join(", ")})`,
          );
        }
        notInReview(params.id);
        return { data: await manager.rewind(params.id, body.phase) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/signals/:name",
      summary: "Send a signal a run waits for (`ctx.waitForSignal`)",
      tag: "runs",
      params: signalParamsSchema,
      body: signalBodySchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", "RUN_ALREADY_ENDED", "REVIEW_IN_PROGRESS", ...runRefusalCodes("wake")],
      handler: async ({ params, body }) => {
        await runs.require(params.id);
        notInReview(params.id);
        return { data: await manager.signal(params.id, params.name, body.payload) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/approvals/:stepId",
      summary: "Approve or reject an approval step",
      tag: "runs",
      params: approvalParamsSchema,
      body: approvalBodySchema,
      response: { status: 200, schema: runResponseSchema },
      errors: ["NOT_FOUND", "REVIEW_IN_PROGRESS", ...runRefusalCodes("wake")],
      handler: async ({ params, body }) => {
        await runs.require(params.id);
        notInReview(params.id);
        // An agent step that asked for an approval (request_approval) is decided here too.
        const decision = {
          approved: body.approved,
          ...(body.comment && { comment: body.comment }),
        };
        if (await app.services.approvals.decide(params.id, params.stepId, decision)) {
          return { data: await runs.require(params.id) };
        }
        return {
          data: await manager.approve(params.id, params.stepId, {
            approved: body.approved,
            ...(body.comment && { comment: body.comment }),
          }),
        };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/prerequisites",
      summary:
        "Make a run that has not started wait for other runs: it is blocked until all of them completed",
      tag: "runs",
      params: idParamsSchema,
      body: linkRunBodySchema,
      response: { status: 200, schema: runResponseSchema },
      errors: [
        "NOT_FOUND",
        "RUN_ALREADY_STARTED",
        "DEPENDENCY_ON_ITSELF",
        "DEPENDENCY_CYCLE",
        "DEPENDENCY_OTHER_PROJECT",
        "PREREQUISITE_ENDED",
      ],
      handler: async ({ params, body }) => ({
        data: await app.services.dependencies.link(params.id, body.after),
      }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/state",
      summary: "What the template published with ctx.setState",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: runStateResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await runs.state(params.id) }),
    }),
  ]);
}
