import type { FastifyInstance } from "fastify";
import { buildOpenApiDocument } from "../openapi/buildOpenApiDocument.js";

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Phaseboard API</title></head>
<body><h1>Phaseboard API</h1><p>The OpenAPI 3 document is at <a href="/api/docs/json">/api/docs/json</a>.</p></body></html>`;

/** `/api/docs` (a pointer page) and `/api/docs/json` (the document). */
export async function docsRoutes(app: FastifyInstance, options: { version: string }) {
  let document: unknown;
  app.get("/api/docs/json", async () => {
    document ??= buildOpenApiDocument(app.routeCatalog, options);
    return document;
  });
  app.get("/api/docs", async (request, reply) => {
    if (request.headers.accept?.includes("application/json")) {
      document ??= buildOpenApiDocument(app.routeCatalog, options);
      return document;
    }
    return reply.type("text/html").send(PAGE);
  });
}
