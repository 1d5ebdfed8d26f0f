import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * Serves the built board (`dist/client`) from the same origin as the API, with the
 * single-page fallback: any GET outside /api and /ws answers index.html. Without a build
 * (development runs Vite's own server) the plugin does nothing.
 */
export const clientFilesPlugin = fp(
  async (app: FastifyInstance, options: { root: string }) => {
    if (!existsSync(join(options.root, "index.html"))) return;
    await app.register(fastifyStatic, { root: options.root, wildcard: false, index: "index.html" });
    app.addHook("onRequest", async (request, reply) => {
      if (request.method !== "GET" || request.routeOptions.url) return;
      if (request.url.startsWith("/api/") || request.url.startsWith("/ws")) return;
      return reply.sendFile("index.html");
    });
  },
  { name: "client-files" },
);
