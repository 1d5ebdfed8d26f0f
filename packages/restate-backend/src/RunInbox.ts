import "./polyfillPromiseWithResolvers.js";
import type { ApprovalDecision } from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";

/** One thing sent to a run from outside, in arrival order. */
export type InboxEntry =
  | { kind: "signal"; name: string; payload: unknown }
  | { kind: "approval"; key: string; decision: ApprovalDecision };

const ENTRIES = "entries";
const WATCHER = "watcher";

/**
 * The signals and approval decisions sent to one run (keyed by run id), kept in arrival
 * order. The run reads the whole list through its journal and gives it to the engine,
 * whose signal cursor keeps Phaseboard's queue semantics: each wait takes the next
 * signal it has not taken. A waiting run registers an awakeable with `watch`; the next
 * entry (or one that already arrived) resolves it.
 */
export const runInbox = restate.object({
  name: "PhaseboardRunInbox",
  handlers: {
    send: async (ctx: restate.ObjectContext, entry: InboxEntry): Promise<{ position: number }> => {
      const entries = (await ctx.get<InboxEntry[]>(ENTRIES)) ?? [];
      entries.push(entry);
      ctx.set(ENTRIES, entries);
      const watcher = await ctx.get<string>(WATCHER);
      if (watcher) {
        ctx.clear(WATCHER);
        ctx.resolveAwakeable(watcher, entries.length);
      }
      return { position: entries.length };
    },
    /** Resolves `awakeableId` once the inbox holds more than `seen` entries. */
    watch: async (ctx: restate.ObjectContext, input: { awakeableId: string; seen: number }) => {
      const entries = (await ctx.get<InboxEntry[]>(ENTRIES)) ?? [];
      if (entries.length > input.seen) {
        ctx.resolveAwakeable(input.awakeableId, entries.length);
        return;
      }
      ctx.set(WATCHER, input.awakeableId);
    },
    read: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<InboxEntry[]> =>
        (await ctx.get<InboxEntry[]>(ENTRIES)) ?? [],
    ),
  },
});

export type RunInbox = typeof runInbox;
