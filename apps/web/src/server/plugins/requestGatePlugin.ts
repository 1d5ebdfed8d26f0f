import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { HttpError } from "../HttpError.js";
import { decideRequest, type RequestGatePolicy } from "../http/requestGate.js";

/**
 * Routes anyone may call, token or not: a load balancer's liveness probe, and webhooks,
 * which carry their template's own secret instead.
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  "/api/health",
  "/api/hooks/:definitionId",
]);

/**
 * Where a browser cannot send an Authorization header, so the token may come as `?token=`:
 * the WebSocket upgrade and artifact links (`<img src>`, downloads).
 */
export const QUERY_TOKEN_ROUTES: ReadonlySet<string> = new Set([
  "GET /ws",
  "GET /api/artifacts/:id",
]);

export interface RequestGateOptions {
  /** PHASEBOARD_TOKEN: required on every server path but the public routes. */
  token?: string | undefined;
  /** Host names answered besides loopback (the configured HOST, PHASEBOARD_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[] | undefined;
  /** Agent steps' run tokens, accepted instead of the token on `/mcp` (their own run only). */
  runTokens?: { verify(token: string): string | undefined } | undefined;
}

/** Where an agent step's run token stands in for the token. */
export const RUN_TOKEN_ROUTES: ReadonlySet<string> = new Set(["/mcp"]);

/**
 * The one gate every request passes before routing's handlers, body parsing included:
 * HTTP routes, the `/ws` upgrade, and any endpoint mounted later on the same app (`/mcp`)
 * — the hook is global, and `/mcp` is a server path to it already. See `decideRequest`
 * for what it refuses and why.
 *
 * @example
 * await app.register(requestGatePlugin, { token, allowedHosts: ["board.example.test"] });
 * app.post("/mcp", handler); // gated like /api: Host, token, Origin, JSON body
 */
export const requestGatePlugin = fp(
  async (app: FastifyInstance, options: RequestGateOptions) => {
    const policy: RequestGatePolicy = {
      token: options.token,
      allowedHosts: options.allowedHosts ?? [],
      publicRoutes: PUBLIC_ROUTES,
      queryTokenRoutes: QUERY_TOKEN_ROUTES,
      ...(options.runTokens && {
        scopedCredentials: {
          routes: RUN_TOKEN_ROUTES,
          verify: (presented: string) => options.runTokens?.verify(presented) !== undefined,
        },
      }),
    };
    app.addHook("onRequest", async (request, reply) => {
      const decision = decideRequest(
        {
          method: request.method,
          url: request.raw.url ?? request.url,
          headers: request.headers,
          routePattern: request.routeOptions.url,
          query: request.query as Record<string, unknown> | undefined,
        },
        policy,
      );
      if (decision.allowed) return;
      if (request.headers.upgrade?.toLowerCase() === "websocket") {
        // A refused upgrade's socket is no longer the HTTP server's to close: end it here,
        // or it lingers and holds shutdown open.
        reply.raw.once("finish", () => request.raw.socket.destroy());
      }
      throw new HttpError(decision.code, decision.message);
    });
  },
  { name: "request-gate" },
);
