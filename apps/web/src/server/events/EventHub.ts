import type { WorkflowEvent } from "@phaseboard/contracts";

export type EventListener = (event: WorkflowEvent, serialized: string) => void;

/**
 * Fans `workflow.*` events out to listeners (WebSocket clients, triggers, tests).
 * Events are serialized once, however many sockets receive them.
 */
export class EventHub {
  readonly #listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: WorkflowEvent): void {
    const serialized = JSON.stringify(event);
    for (const listener of this.#listeners) listener(event, serialized);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
