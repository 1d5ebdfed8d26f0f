import websocket from "@fastify/websocket";
import { clientMessageSchema } from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { WebSocket } from "ws";
import type { EventHub } from "../events/EventHub.js";

export interface WebsocketOptions {
  hub: EventHub;
  version: string;
  /**
   * Bytes a client may leave unread before it is dropped (default 4 MiB). A stalled
   * board must not make the server hold every event for it: memory stays flat.
   */
  maxBufferedBytes?: number;
}

/** Close code sent to a client that fell too far behind (RFC 6455 "try again later"). */
export const SLOW_CLIENT_CLOSE_CODE = 1013;

/**
 * `/ws`: pushes `workflow.*` events. A client may send `{ type: "subscribe", project_id }`
 * to receive one project's events, and `{ type: "ping" }` to get a `pong`. The token check
 * is the auth plugin's onRequest hook, which runs for the upgrade request too.
 */
export const websocketPlugin = fp(
  async (app: FastifyInstance, options: WebsocketOptions) => {
    const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    app.get("/ws", { websocket: true }, (socket: WebSocket, request) => {
      const query = request.query as { project_id?: string };
      let projectId: string | null = query.project_id || null;
      const send = (text: string) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > maxBuffered) {
          request.log.warn({ buffered: socket.bufferedAmount }, "dropping a slow WebSocket client");
          unsubscribe();
          socket.terminate();
          return;
        }
        socket.send(text);
      };
      const unsubscribe = options.hub.subscribe((event, serialized) => {
        if (projectId === null || event.data.project_id === projectId) send(serialized);
      });
      const unsubscribeResync = options.hub.onResync((reason) =>
        send(JSON.stringify({ type: "resync", data: { reason } })),
      );
      socket.on("close", unsubscribeResync);
      socket.on("error", unsubscribeResync);
      socket.on("close", unsubscribe);
      socket.on("error", unsubscribe);
      socket.on("message", (raw) => {
        let message: unknown;
        try {
          message = JSON.parse(raw.toString());
        } catch {
          send(errorMessage("BAD_REQUEST", "Messages must be JSON objects"));
          return;
        }
        const parsed = clientMessageSchema.safeParse(message);
        if (!parsed.success) {
          send(
            errorMessage(
              "VALIDATION_FAILED",
              `Unknown message: expected { "type": "subscribe", "project_id" } or { "type": "ping" } (${parsed.error.issues
                .map((issue) => `${issue.path.join(".") || "type"}: ${issue.message}`)
                .join("; ")})`,
            ),
          );
          return;
        }
        if (parsed.data.type === "ping") {
          send(JSON.stringify({ type: "pong", data: { id: parsed.data.id } }));
        } else {
          projectId = parsed.data.project_id;
          send(JSON.stringify({ type: "subscribed", data: { project_id: projectId } }));
        }
      });
      send(
        JSON.stringify({
          type: "hello",
          data: { version: options.version, project_id: projectId },
        }),
      );
    });
  },
  { name: "websocket" },
);

function errorMessage(code: string, message: string): string {
  return JSON.stringify({ type: "error", data: { code, message } });
}
