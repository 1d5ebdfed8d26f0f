import {
  idParamsSchema,
  stepLogParamsSchema,
  stepLogQuerySchema,
  stepLogResponseSchema,
  stepResponseSchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { defineRoute } from "../http/defineRoute.js";

export async function stepRoutes(app: FastifyInstance) {
  const { steps } = app.services;
  app.addRoutes([
    defineRoute({
      method: "GET",
      url: "/api/workflow-steps/:id",
      summary: "Get a step with its agent session, artifacts and comments",
      tag: "steps",
      params: idParamsSchema,
      response: { status: 200, schema: stepResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await steps.get(params.id) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-steps/:id/logs/:type",
      summary:
        "Read a range of a step log (input, output, events, summary): ?offset=&limit= bytes (1 MiB by default), events also ?after=N lines",
      tag: "steps",
      params: stepLogParamsSchema,
      query: stepLogQuerySchema,
      response: { status: 200, schema: stepLogResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params, query }) => ({
        data: await steps.log(params.id, params.type, query),
      }),
    }),
  ]);
}
