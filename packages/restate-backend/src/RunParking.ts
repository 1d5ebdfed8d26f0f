import "./polyfillPromiseWithResolvers.js";
import * as restate from "@restatedev/restate-sdk";

/** Where a run's pauses stand: the last one it parked on, and the last one resumed. */
export interface ParkingState {
  /** The pause (1, 2, …) the run is parked on now, if any. */
  parked?: number;
  /** The last pause a resume released. */
  resumed: number;
}

const STATE = "state";
const WATCHER = "watcher";

/**
 * A paused run's invocation parked until someone resumes it (keyed by run id). The run
 * registers an awakeable with `park` *before* it tells the board it paused, so a resume
 * that follows what the board saw always finds it; `resume` resolves it. A resume with no
 * parked run changes nothing (the pause had not taken effect: the run simply goes on).
 */
export const runParking = restate.object({
  name: "PhaseboardRunParking",
  handlers: {
    park: async (ctx: restate.ObjectContext, input: { awakeableId: string; pause: number }) => {
      const state = (await ctx.get<ParkingState>(STATE)) ?? { resumed: 0 };
      if (state.resumed >= input.pause) {
        ctx.resolveAwakeable(input.awakeableId, input.pause);
        return;
      }
      ctx.set(STATE, { ...state, parked: input.pause });
      ctx.set(WATCHER, input.awakeableId);
    },
    resume: async (ctx: restate.ObjectContext): Promise<{ resumed: boolean }> => {
      const state = (await ctx.get<ParkingState>(STATE)) ?? { resumed: 0 };
      const watcher = await ctx.get<string>(WATCHER);
      if (state.parked === undefined || !watcher) return { resumed: false };
      ctx.resolveAwakeable(watcher, state.parked);
      ctx.clear(WATCHER);
      ctx.set(STATE, { resumed: state.parked });
      return { resumed: true };
    },
    state: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<ParkingState> =>
        (await ctx.get<ParkingState>(STATE)) ?? { resumed: 0 },
    ),
  },
});

export type RunParking = typeof runParking;

/**
 * Parks a paused run's invocation until it is resumed: the engine's in-memory run (and the
 * journal under it) stay as they are, so the resumed engine replays its completed steps
 * from memory and runs the interrupted one again. Tells the board with a `paused` feed entry
 * once the run can be resumed.
 */
export async function parkWhilePaused(
  ctx: restate.WorkflowContext,
  runId: string,
  pause: number,
  feed: { paused(pause: number): Promise<void> },
  /** The invocation's one sequence of waits (see InvocationAwaits). */
  wait: <T>(promise: restate.RestatePromise<T>) => Promise<T> = (promise) => promise,
): Promise<void> {
  const resumed = ctx.awakeable<number>();
  await wait(ctx.objectClient(runParking, runId).park({ awakeableId: resumed.id, pause }));
  await feed.paused(pause);
  await wait(resumed.promise);
}
