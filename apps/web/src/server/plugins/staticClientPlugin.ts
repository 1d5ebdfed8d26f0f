import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Where `pnpm --filter @phaseboard/web build` puts the board. */
export const defaultClientDir = join(import.meta.dirname, "..", "..", "..", "dist", "client");

export interface StaticClientOptions {
  /** The built client (index.html and assets/); defaults to apps/web/dist/client. */
  root?: string;
}

/** Paths the board's router never owns: unknown ones there stay JSON 404s. */
const serverPrefixes = ["/api/", "/api", "/ws", "/ws/"];

/**
 * Serves the built board at `/`: its files as they are, and index.html for every other
 * GET outside /api and /ws, so a reload on `/runs/…` or `/templates` opens the same page
 * (the client's router takes it from there).
 *
 * @example
 * await app.register(staticClientPlugin); // after the API routes
 */
export const staticClientPlugin = fp(
  async (app: FastifyInstance, options: StaticClientOptions) => {
    const root = options.root ?? defaultClientDir;
    const indexFile = join(root, "index.html");
    if (!existsSync(indexFile)) {
      // The server still answers the API; the page says how to get the board.
      app.get("/", async (_request, reply) =>
        reply
          .type("text/html")
          .send(
            "<!doctype html><title>Phaseboard</title><p>The board is not built yet: run <code>pnpm --filter @phaseboard/web build</code> (or <code>npm start</code>, which builds it).</p>",
          ),
      );
      return;
    }
    // wildcard: false registers one route per built file, so `GET /*` below stays free
    // for the fallback and never shadows the API's own routes.
    await app.register(fastifyStatic, { root, wildcard: false, index: false });
    const sendIndex = (
      _request: unknown,
      reply: { header(k: string, v: string): unknown; sendFile(f: string): unknown },
    ) => {
      // index.html names the hashed assets of the current build: never cache it.
      reply.header("cache-control", "no-cache");
      return reply.sendFile("index.html");
    };
    app.get("/", sendIndex);
    app.get("/*", (request, reply) => {
      const path = request.url.split("?")[0] ?? "/";
      if (serverPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
        return reply.callNotFound();
      }
      return sendIndex(request, reply);
    });
  },
  { name: "static-client" },
);
