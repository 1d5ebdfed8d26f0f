import {
  commentListResponseSchema,
  commentResponseSchema,
  createCommentBodySchema,
  idParamsSchema,
  listCommentsQuerySchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { defineRoute } from "../http/defineRoute.js";

export async function commentRoutes(app: FastifyInstance) {
  const { comments } = app.services;
  app.addRoutes([
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/comments",
      summary: "Comment on a run, or on one of its steps with step_id",
      tag: "comments",
      params: idParamsSchema,
      body: createCommentBodySchema,
      response: { status: 201, schema: commentResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params, body }) => ({ data: await comments.create(params.id, body) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/comments",
      summary: "List a run's comments (or one step's, with step_id) with their artifacts",
      tag: "comments",
      params: idParamsSchema,
      query: listCommentsQuerySchema,
      response: { status: 200, schema: commentListResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params, query }) => ({
        data: await comments.list(params.id, query.step_id),
      }),
    }),
  ]);
}
