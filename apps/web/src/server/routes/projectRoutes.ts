import {
  createProjectBodySchema,
  projectListResponseSchema,
  projectResponseSchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { defineRoute } from "../http/defineRoute.js";

export async function projectRoutes(app: FastifyInstance) {
  app.addRoutes([
    defineRoute({
      method: "GET",
      url: "/api/projects",
      summary: "List projects",
      tag: "projects",
      response: { status: 200, schema: projectListResponseSchema },
      errors: [],
      handler: async () => ({ data: await app.services.projects.listWithWorkspaces() }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/projects",
      summary: "Register a repository as a project (path must be an existing directory)",
      tag: "projects",
      body: createProjectBodySchema,
      response: { status: 201, schema: projectResponseSchema },
      errors: [],
      handler: async ({ body }) => {
        const project = await app.services.projects.create(body);
        await app.services.catalog.sync(project);
        app.services.catalog.watch(project);
        return { data: project };
      },
    }),
  ]);
}
