import {
  idParamsSchema,
  previewResponseSchema,
  previewStatusResponseSchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { HttpError } from "../HttpError.js";
import { defineRoute } from "../http/defineRoute.js";

export async function previewRoutes(app: FastifyInstance) {
  const { previews } = app.services;
  app.addRoutes([
    defineRoute({
      method: "GET",
      url: "/api/workflow-executions/:id/preview",
      summary:
        "The run's port block, whether the project declares a preview, and the run's preview with the end of its log",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: previewStatusResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await previews.status(params.id) }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/preview",
      summary:
        "Start the project's preview command in the run's worktree on the run's first port; answers the running one if there is one",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: previewResponseSchema },
      errors: [
        "NOT_FOUND",
        "RUN_HAS_NO_WORKTREE",
        "WORKTREE_REMOVED",
        "PREVIEW_NOT_CONFIGURED",
        "PREVIEW_PORT_IN_USE",
        "PORTS_EXHAUSTED",
      ],
      handler: async ({ params }) => ({ data: await previews.start(params.id) }),
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/workflow-executions/:id/preview",
      summary: "Stop the run's preview (its whole process group)",
      tag: "runs",
      params: idParamsSchema,
      response: { status: 200, schema: previewResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => {
        await app.services.runs.require(params.id);
        const preview = await previews.stop(params.id);
        if (!preview) throw new HttpError("NOT_FOUND", `Run ${params.id} has no preview`);
        return { data: preview };
      },
    }),
  ]);
}
