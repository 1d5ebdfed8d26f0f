import type { QueryClient } from "@tanstack/react-query";
import ReconnectingWebSocket from "partysocket/ws";
import { withToken } from "../api/accessToken";
import { parseLiveEvent, type UnknownLiveEvent } from "../api/liveEvent";
import { patchCacheWithEvent } from "../api/patchCacheWithEvent";

export type ConnectionState = "connecting" | "live" | "reconnecting";

/**
 * The board's one WebSocket: it reconnects on its own (backing off up to 10 s), and after
 * a reconnect refetches every query on screen, since events sent while it was down are
 * lost. Its state drives the indicator in the header.
 */
export class LiveConnection {
  private socket: ReconnectingWebSocket | undefined;
  private state: ConnectionState = "connecting";
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: UnknownLiveEvent) => void>();
  private projectId: string | undefined;
  private openedBefore = false;

  constructor(
    private readonly client: QueryClient,
    private readonly url = defaultUrl(),
  ) {}

  start(): void {
    if (this.socket) return;
    const socket = new ReconnectingWebSocket(this.url, [], {
      minReconnectionDelay: 250,
      maxReconnectionDelay: 10_000,
      connectionTimeout: 4_000,
    });
    socket.addEventListener("open", () => {
      this.sendSubscribe();
      if (this.openedBefore) void this.client.invalidateQueries();
      this.openedBefore = true;
      this.setState("live");
    });
    socket.addEventListener("close", () => {
      this.setState(this.openedBefore ? "reconnecting" : "connecting");
    });
    socket.addEventListener("message", (message) => {
      if (typeof message.data !== "string") return;
      if (isResync(message.data)) {
        // The server may have missed other servers' events: what is shown is refetched.
        void this.client.invalidateQueries();
        return;
      }
      const event = parseLiveEvent(message.data);
      if (!event) return;
      patchCacheWithEvent(this.client, event);
      for (const listener of this.eventListeners) listener(event);
    });
    this.socket = socket;
  }

  stop(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** Asks the server for one project's events only (it sends all of them otherwise). */
  subscribe(projectId: string | undefined): void {
    this.projectId = projectId;
    this.sendSubscribe();
  }

  getState = (): ConnectionState => this.state;

  onChange = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Calls `listener` with every event after the cache has taken it in. */
  onEvent = (listener: (event: UnknownLiveEvent) => void): (() => void) => {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  };

  private sendSubscribe() {
    if (this.projectId && this.socket?.readyState === 1) {
      this.socket.send(JSON.stringify({ type: "subscribe", project_id: this.projectId }));
    }
  }

  private setState(state: ConnectionState) {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

function defaultUrl(): string {
  const { protocol, host } = window.location;
  return withToken(`${protocol === "https:" ? "wss" : "ws"}://${host}/ws`);
}

/** `{ "type": "resync" }`: see resyncMessageSchema in @phaseboard/contracts. */
function isResync(raw: string): boolean {
  if (!raw.startsWith('{"type":"resync"')) return false;
  try {
    return (JSON.parse(raw) as { type?: unknown }).type === "resync";
  } catch {
    return false;
  }
}
