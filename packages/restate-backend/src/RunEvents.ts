import "./polyfillPromiseWithResolvers.js";
import type { StepLogEvent } from "@phaseboard/workflow-engine";
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
  /** The run paused (its `pause`-th time) and is parked until resumed. */
  | { kind: "paused"; data: { pause: number } }
  /** The last entry: appended with a call, so every send before it is stored by then. */
  | { kind: "ended"; data: { status: string } };

/** A step's progress lines from its worker, outside the journal (see `progress`). */
export interface ProgressBatch {
  stepKey: string;
  events: StepLogEvent[];
}

/** One progress line as kept: `seq` counts every line the run's feed took, from 1. */
export interface ProgressEntry {
  seq: number;
  stepKey: string;
  event: StepLogEvent;
}

/** What a server reads from the feed in one call: board events and progress lines. */
export interface FeedRead {
  events: RunEvent[];
  progress: ProgressEntry[];
}

/** What a run on Restate may ask of the server's host. */
export type HostMethod =
  | "loadTemplate"
  | "createChildRun"
  | "createContinuationRun"
  /** The steps whose body is one host call: `ctx.sendSignal` and the workspace steps. */
  | "signalRuns"
  | "diffOfRun"
  | "mergeRun"
  | "openPullRequest"
  | "removeRunWorktree";

const EVENTS = "events";
const PROGRESS = "progress";
const PROGRESS_SEQ = "progressSeq";
/**
 * Progress lines kept per run: a window for the servers that relay them, not a record
 * (the server's events.jsonl is). A reader that falls further behind misses lines.
 */
export const PROGRESS_KEPT = 500;

/**
 * The board's feed of one run (keyed by run id): the run's invocation appends with one-way
 * sends, which are journal entries, so a replayed invocation re-issues them in the same
 * order and Restate does not deliver them twice. Servers read from a position on.
 *
 * Progress lines (stdout, agent events) cannot go through the journal — a replayed step
 * prints nothing — so the worker running the step sends them here directly, in batches
 * (`progress`), into a bounded window apart from the board events.
 */
export const runEvents = restate.object({
  name: "PhaseboardRunEvents",
  handlers: {
    append: async (ctx: restate.ObjectContext, event: RunEvent) => {
      const events = (await ctx.get<RunEvent[]>(EVENTS)) ?? [];
      events.push(event);
      ctx.set(EVENTS, events);
    },
    progress: async (ctx: restate.ObjectContext, batch: ProgressBatch) => {
      if (batch.events.length === 0) return;
      const kept = (await ctx.get<ProgressEntry[]>(PROGRESS)) ?? [];
      let seq = (await ctx.get<number>(PROGRESS_SEQ)) ?? 0;
      for (const event of batch.events) {
        seq += 1;
        kept.push({ seq, stepKey: batch.stepKey, event });
      }
      ctx.set(PROGRESS, kept.slice(-PROGRESS_KEPT));
      ctx.set(PROGRESS_SEQ, seq);
    },
    /** Board events from position `from` on, and progress lines after `progressAfter`. */
    read: restate.handlers.object.shared(
      async (
        ctx: restate.ObjectSharedContext,
        input: { from: number; progressAfter: number },
      ): Promise<FeedRead> => ({
        events: ((await ctx.get<RunEvent[]>(EVENTS)) ?? []).slice(Math.max(0, input.from)),
        progress: ((await ctx.get<ProgressEntry[]>(PROGRESS)) ?? []).filter(
          (entry) => entry.seq > input.progressAfter,
        ),
      }),
    ),
    since: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext, from: number): Promise<RunEvent[]> =>
        ((await ctx.get<RunEvent[]>(EVENTS)) ?? []).slice(Math.max(0, from)),
    ),
  },
});

export type RunEvents = typeof runEvents;
