import "./polyfillPromiseWithResolvers.js";
import * as restate from "@restatedev/restate-sdk";

const FLAGGED = "flagged";

/**
 * The ids of a worker's taken jobs whose run was cancelled or paused now, keyed by the
 * worker's id: the shards set and clear them (rarely: only on abort and pause-now), and the
 * worker asks `list` every poll interval while it runs jobs — one small read per interval,
 * instead of one per shard.
 */
export const stepJobFlags = restate.object({
  name: "PhaseboardStepJobFlags",
  handlers: {
    set: async (ctx: restate.ObjectContext, input: { id: string; on: boolean }) => {
      const flagged = (await ctx.get<string[]>(FLAGGED)) ?? [];
      const has = flagged.includes(input.id);
      if (input.on && !has) ctx.set(FLAGGED, [...flagged, input.id]);
      if (!input.on && has) {
        const rest = flagged.filter((id) => id !== input.id);
        if (rest.length === 0) ctx.clear(FLAGGED);
        else ctx.set(FLAGGED, rest);
      }
    },
    list: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<string[]> =>
        (await ctx.get<string[]>(FLAGGED)) ?? [],
    ),
  },
});

export type StepJobFlags = typeof stepJobFlags;
