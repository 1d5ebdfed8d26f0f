import {
  budgetResumeResponseSchema,
  createProjectBodySchema,
  idParamsSchema,
  projectAgentListResponseSchema,
  projectListResponseSchema,
  projectResponseSchema,
  projectUsageQuerySchema,
  projectUsageResponseSchema,
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
      method: "GET",
      url: "/api/projects/:id",
      summary:
        "A project, with its .agent/phaseboard.yaml (config) or why it is refused (config_error)",
      tag: "projects",
      params: idParamsSchema,
      response: { status: 200, schema: projectResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({
        data: await app.services.projects.getWithWorkspace(params.id),
      }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/projects/:id/budget-resume",
      summary:
        "Resume the project's runs paused by a budget that the budgets now allow (done on its own when .agent/phaseboard.yaml changes)",
      tag: "projects",
      params: idParamsSchema,
      response: { status: 200, schema: budgetResumeResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => {
        await app.services.projects.get(params.id);
        return {
          data: {
            project_id: params.id,
            resumed: await app.services.runs.resumeBudgetPaused(params.id),
          },
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/projects/:id/usage",
      summary: "Tokens and cost of a project's runs, per board column and in all",
      tag: "projects",
      params: idParamsSchema,
      query: projectUsageQuerySchema,
      response: { status: 200, schema: projectUsageResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params, query }) => ({
        data: await app.services.usage.project(params.id, query.workflow_definition_id),
      }),
    }),
    defineRoute({
      method: "GET",
      url: "/api/projects/:id/agents",
      summary:
        "The agents a project's steps may name: built-in CLIs (installed or not) and those declared in .agent/agents/, broken declarations with their error",
      tag: "projects",
      params: idParamsSchema,
      response: { status: 200, schema: projectAgentListResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => {
        const project = await app.services.projects.get(params.id);
        return { data: await app.services.catalog.agents.list(project) };
      },
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
