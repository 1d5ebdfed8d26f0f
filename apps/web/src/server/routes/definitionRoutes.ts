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
      handler: async ({ query }) => {
        const [definitions, builds] = await Promise.all([
          app.services.catalog.list(query.project_id),
          app.services.builds?.lastBuilds() ?? new Map(),
        ]);
        return {
          data: definitions.map((definition) => ({
            ...definition,
            last_build: builds.get(definition.id) ?? null,
          })),
        };
      },
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
