import type { WorkflowEvent } from "@phaseboard/contracts";

export type EventListener = (event: WorkflowEvent, serialized: string) => void;

/**
 * Fans `workflow.*` events out to listeners (WebSocket clients, triggers, tests).
 * Events are serialized once, however many sockets receive them.
 *
 * Servers sharing one database also forward what they publish to each other (see
 * `relayEvents`), so a board connected to any of them sees every change.
 */
export class EventHub {
  readonly #listeners = new Set<EventListener>();
  readonly #resyncListeners = new Set<(reason: string) => void>();
  #forward: ((serialized: string) => void) | undefined;

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: WorkflowEvent): void {
    const serialized = JSON.stringify(event);
    this.deliver(event, serialized);
    this.#forward?.(serialized);
  }

  /** Hands an event to this process's listeners only (one another server published). */
  deliver(event: WorkflowEvent, serialized: string): void {
    for (const listener of this.#listeners) listener(event, serialized);
  }

  /**
   * Tells this process's listeners that events may have been missed (the link to the
   * other servers dropped): a board refetches what it shows instead of trusting patches.
   */
  resync(reason: string): void {
    for (const listener of this.#resyncListeners) listener(reason);
  }

  onResync(listener: (reason: string) => void): () => void {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  /** Also sends every event published here to `forward` (the other servers). */
  forwardTo(forward: ((serialized: string) => void) | undefined): void {
    this.#forward = forward;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
