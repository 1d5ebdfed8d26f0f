import "./polyfillPromiseWithResolvers.js";
import * as restate from "@restatedev/restate-sdk";

/** What the board hears about a run executing on Restate, in the order it happened. */
export type RunEvent =
  | { kind: "step_started"; data: Record<string, unknown> }
  | { kind: "step_completed"; data: Record<string, unknown> }
  | { kind: "phase_changed"; data: Record<string, unknown> }
  | { kind: "state"; data: Record<string, unknown> }
  /**
   * The run asks its server's host (`RunHost`: a child's or successor's card, a template)
   * and waits on the awakeable `id`; `host_answered` follows once the answer is journaled,
   * so a server reading the feed again does not ask its host twice (see JournalRunHost).
   */
  | { kind: "host_call"; data: { id: string; method: HostMethod; input: unknown } }
  | { kind: "host_answered"; data: { id: string; runId?: string } }
  /** The last entry: appended with a call, so every send before it is stored by then. */
  | { kind: "ended"; data: { status: string } };

/** What a run on Restate may ask of the server's host. */
export type HostMethod = "loadTemplate" | "createChildRun" | "createContinuationRun";

const EVENTS = "events";

/**
 * The board's feed of one run (keyed by run id): the run's invocation appends with one-way
 * sends, which are journal entries, so a replayed invocation re-issues them in the same
 * order and Restate does not deliver them twice. Servers read from a position on.
 */
export const runEvents = restate.object({
  name: "PhaseboardRunEvents",
  handlers: {
    append: async (ctx: restate.ObjectContext, event: RunEvent) => {
      const events = (await ctx.get<RunEvent[]>(EVENTS)) ?? [];
      events.push(event);
      ctx.set(EVENTS, events);
    },
    since: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext, from: number): Promise<RunEvent[]> =>
        ((await ctx.get<RunEvent[]>(EVENTS)) ?? []).slice(Math.max(0, from)),
    ),
  },
});

export type RunEvents = typeof runEvents;
