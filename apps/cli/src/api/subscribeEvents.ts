import type { ClientMessage } from "@phaseboard/contracts";
import WebSocket from "ws";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import type { ServerEvent } from "./wireTypes.js";

export interface EventSubscription {
  /** Resolves once the server accepted the subscription (events after this are seen). */
  ready: Promise<void>;
  close(): void;
}

/**
 * Subscribes to a project's live events on /ws. Subscribing before acting (starting a
 * run, resuming it) means no event of that action can be missed.
 */
export function subscribeEvents(options: {
  baseUrl: string;
  token?: string | undefined;
  projectId: string;
  onEvent: (event: ServerEvent) => void;
  onClose?: (error?: Error) => void;
}): EventSubscription {
  const url = new URL("/ws", options.baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("project_id", options.projectId);
  const socket = new WebSocket(url, {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  let closedByUs = false;
  let subscribed: () => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    subscribed = resolve;
    socket.once("open", () => {
      const message: ClientMessage = { type: "subscribe", project_id: options.projectId };
      socket.send(JSON.stringify(message));
    });
    socket.once("error", (error) =>
      reject(
        new CommandFailedError(`cannot follow live events at ${url.origin}/ws: ${error.message}`, {
          code: "EVENTS_UNAVAILABLE",
          cause: error,
        }),
      ),
    );
  });
  // Nobody may be awaiting `ready` when a later error arrives; onClose reports it.
  ready.catch(() => {});
  socket.on("message", (raw) => {
    let event: ServerEvent;
    try {
      event = JSON.parse(String(raw)) as ServerEvent;
    } catch {
      return;
    }
    // The server greets once the socket is registered (filtered by ?project_id=) and
    // confirms the subscribe message; after either, no event of the project is missed.
    if (event?.type === "hello" || event?.type === "subscribed") subscribed();
    else if (typeof event?.type === "string" && event.type.startsWith("workflow.")) {
      options.onEvent(event);
    }
  });
  socket.on("close", () => {
    if (!closedByUs) options.onClose?.(new Error("the server closed the event stream"));
  });
  socket.on("error", (error) => {
    if (!closedByUs) options.onClose?.(error);
  });
  return {
    ready,
    close() {
      closedByUs = true;
      socket.close();
    },
  };
}
