import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { HttpError } from "../HttpError.js";

/**
 * Routes anyone may call, token or not: a load balancer's liveness probe, and webhooks,
 * which carry their template's own secret instead.
 */
const PUBLIC_ROUTES = new Set(["/api/health", "/api/hooks/:definitionId"]);

/**
 * When a token is configured, every API request and WebSocket upgrade must carry it, as
 * `Authorization: Bearer <token>` or (for the browser's WebSocket) `?token=<token>`.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: { token: string | undefined }) => {
    const { token } = options;
    if (!token) return;
    const expected = digest(token);
    app.addHook("onRequest", async (request, reply) => {
      if (PUBLIC_ROUTES.has(request.routeOptions.url ?? "")) return;
      // The board's own files hold no data; the page asks for the token and sends it with
      // every API call, socket and image.
      if (!isServerPath(request.url)) return;
      const presented = presentedToken(request);
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        if (request.headers.upgrade?.toLowerCase() === "websocket") {
          // A refused upgrade's socket is no longer the HTTP server's to close: end it here,
          // or it lingers and holds shutdown open.
          reply.raw.once("finish", () => request.raw.socket.destroy());
        }
        throw new HttpError(
          "UNAUTHORIZED",
          presented === undefined
            ? "This server requires an access token: send Authorization: Bearer <PHASEBOARD_TOKEN>"
            : "The access token is not valid",
        );
      }
    });
  },
  { name: "auth" },
);

function isServerPath(url: string): boolean {
  const path = url.split("?")[0] ?? "/";
  return path === "/api" || path.startsWith("/api/") || path === "/ws" || path.startsWith("/ws/");
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice("Bearer ".length).trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === "string" ? query.token : undefined;
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the length.
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
