import type { WorkflowEvent } from "@phaseboard/contracts";
import { openPostgresChannel } from "@phaseboard/db";
import type { FastifyBaseLogger } from "fastify";
import type { EventHub } from "./EventHub.js";

/** The LISTEN/NOTIFY channel the servers of one board share. */
export const EVENT_CHANNEL = "phaseboard_events";

/**
 * Connects `hub` to the other servers on the same PostgreSQL database: what this server
 * publishes is sent to them, what they publish reaches this server's WebSocket clients.
 * Returns the function that disconnects.
 */
export async function relayEvents(options: {
  hub: EventHub;
  url: string;
  log: FastifyBaseLogger;
}): Promise<() => Promise<void>> {
  const { hub, log } = options;
  const channel = await openPostgresChannel({
    url: options.url,
    channel: EVENT_CHANNEL,
    onMessage(serialized) {
      // Peers are servers of the same board and database: the shape is checked, not the
      // full schema, so a server one release ahead does not silence its events here.
      let event: unknown;
      try {
        event = JSON.parse(serialized);
      } catch {
        event = undefined;
      }
      if (!isEvent(event)) {
        log.warn("ignoring an event from another server that is not an event");
        return;
      }
      hub.deliver(event, serialized);
    },
    onError(error) {
      log.warn({ err: error }, "the event channel to the other servers failed; reconnecting");
    },
  });
  hub.forwardTo((serialized) => {
    void channel.send(serialized);
  });
  return async () => {
    hub.forwardTo(undefined);
    await channel.close();
  };
}

function isEvent(value: unknown): value is WorkflowEvent {
  if (typeof value !== "object" || value === null) return false;
  const { type, data } = value as { type?: unknown; data?: unknown };
  return typeof type === "string" && typeof data === "object" && data !== null;
}
