import type { WorkflowEvent } from "@phaseboard/contracts";
import { openPostgresChannel } from "@phaseboard/db";
import type { FastifyBaseLogger } from "fastify";
import type { EventHub } from "./EventHub.js";

/** The LISTEN/NOTIFY channel the servers of one board share. */
export const EVENT_CHANNEL = "phaseboard_events";

/** Sent on the channel by a server whose link came back: its peers' boards refetch too. */
const RESYNC = JSON.stringify({ type: "resync", data: { reason: "a server reconnected" } });

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
      if ((event as { type?: unknown } | undefined)?.type === "resync") {
        hub.resync("another server of this board lost its link and may have missed events");
        return;
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
    // Events crossed neither way while the link was down: this server's boards refetch,
    // and the peers' boards too (they missed what this server published meanwhile).
    onReconnect() {
      log.info("the event channel to the other servers is back; boards refetch");
      hub.resync("the link to the other servers dropped and is back");
      void channel.send(RESYNC);
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
