import {
  definitionListResponseSchema,
  definitionResponseSchema,
  idParamsSchema,
  listDefinitionsQuerySchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { defineRoute } from "../http/defineRoute.js";

export async function definitionRoutes(app: FastifyInstance) {
  app.addRoutes([
    defineRoute({
      method: "GET",
      url: "/api/workflow-definitions",
      summary: "List templates (broken ones carry `error`)",
      tag: "definitions",
      query: listDefinitionsQuerySchema,
      response: { status: 200, schema: definitionListResponseSchema },
      errors: [],
      handler: async ({ query }) => ({ data: await app.services.catalog.list(query.project_id) }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/workflow-definitions/:id",
      summary: "Get one template",
      tag: "definitions",
      params: idParamsSchema,
      response: { status: 200, schema: definitionResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await app.services.catalog.get(params.id) }),
    }),
  ]);
}
