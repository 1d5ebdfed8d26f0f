import {
  idParamsSchema,
  pullRequestResponseSchema,
  pullRequestStatusResponseSchema,
  webhookDeliveryListResponseSchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { HttpError } from "../HttpError.js";
import { defineRoute } from "../http/defineRoute.js";

export async function integrationRoutes(app: FastifyInstance) {
  const { pullRequests, notifier } = app.integrations;
  app.addRoutes([
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/webhook-deliveries",
      summary:
        "The run's notifications sent to the project's webhooks, with their attempts and outcome",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: webhookDeliveryListResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => {
        await app.services.runs.require(params.id);
        return { data: await notifier.deliveries(params.id) };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/pull-request",
      summary:
        "The pull request opened from the run's branch, or what opening one needs (a worktree, a git remote, gh or glab signed in)",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: pullRequestStatusResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await pullRequests.status(params.id) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/pull-request",
      summary:
        "Push the run's branch and open a pull request (gh) or merge request (glab) from it; answers the existing one when the run has one",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: pullRequestResponseSchema },
      errors: [
        "NOT_FOUND",
        "REVIEW_IN_PROGRESS",
        "RUN_STILL_ACTIVE",
        "PULL_REQUEST_UNAVAILABLE",
        "PULL_REQUEST_FAILED",
        "PUSH_REJECTED",
      ],
      handler: async ({ params }) => {
        if (app.services.reviews.busy(params.id)) {
          throw new HttpError(
            "REVIEW_IN_PROGRESS",
            `A review follow-up is running in run ${params.id}'s worktree; wait until it ends`,
          );
        }
        return { data: (await pullRequests.open(params.id)).pullRequest };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/pull-request/refresh",
      summary: "Read the pull request's state and checks from its host now",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: pullRequestResponseSchema },
      errors: ["NOT_FOUND", "PULL_REQUEST_UNAVAILABLE", "PULL_REQUEST_FAILED"],
      handler: async ({ params }) => {
        await app.services.runs.require(params.id);
        const pullRequest = await pullRequests.refresh(params.id).catch((error: unknown) => {
          if (error instanceof HttpError) throw error;
          throw new HttpError(
            "PULL_REQUEST_FAILED",
            `Could not read the pull request: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
        if (!pullRequest) throw new HttpError("NOT_FOUND", `Run ${params.id} has no pull request`);
        return { data: pullRequest };
      },
    }),
  ]);
}
