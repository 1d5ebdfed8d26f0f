import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { AnyRoute } from "./defineRoute.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered through `addRoutes`, for the OpenAPI document. */
    routeCatalog: AnyRoute[];
    addRoutes(routes: AnyRoute[]): void;
  }
}

/**
 * Registers zod-described routes: params, query and body are parsed before the handler
 * runs, and a ZodError becomes 400 VALIDATION_FAILED naming the field (errorHandlerPlugin).
 */
export const routeCatalogPlugin = fp(
  async (app: FastifyInstance) => {
    const catalog: AnyRoute[] = [];
    app.decorate("routeCatalog", catalog);
    app.decorate("addRoutes", (routes: AnyRoute[]) => {
      for (const route of routes) {
        catalog.push(route);
        app.route({
          method: route.method,
          url: route.url,
          handler: async (request, reply) => {
            const params = route.params ? route.params.parse(request.params) : undefined;
            const query = route.query ? route.query.parse(request.query) : undefined;
            const body = route.body ? route.body.parse(request.body ?? undefined) : undefined;
            const result = await route.handler({ params, query, body }, request, reply);
            if (reply.sent) return reply;
            if (route.response?.status) reply.status(route.response.status);
            return result;
          },
        });
      }
    });
  },
  { name: "route-catalog" },
);
