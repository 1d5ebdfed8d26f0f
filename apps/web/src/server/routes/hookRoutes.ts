import { runResponseSchema, webhookBodySchema, webhookParamsSchema } from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { defineRoute } from "../http/defineRoute.js";

export async function hookRoutes(app: FastifyInstance) {
  app.addRoutes([
    defineRoute({
      method: "POST",
      url: "/api/hooks/:definitionId",
      summary: "Start a run from a template's webhook trigger (header X-Phaseboard-Secret)",
      tag: "triggers",
      params: webhookParamsSchema,
      body: webhookBodySchema,
      response: { status: 201, schema: runResponseSchema },
      errors: [
        "NOT_FOUND",
        "WEBHOOK_SECRET_MISSING",
        "TEMPLATE_NOT_LOADED",
        "WORKTREE_UNAVAILABLE",
      ],
      handler: async ({ params, body }, request) => {
        const secret = request.headers["x-phaseboard-secret"];
        return {
          data: await app.services.triggers.webhook(
            params.definitionId,
            typeof secret === "string" ? secret : undefined,
            body,
          ),
        };
      },
    }),
  ]);
}
