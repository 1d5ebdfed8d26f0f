import "./polyfillPromiseWithResolvers.js";
import * as restate from "@restatedev/restate-sdk";
import { stepJobQueue } from "./StepJobQueue.js";

/** Where a run's pauses stand: the last one it parked on, and the last one resumed. */
export interface ParkingState {
  /** The pause (1, 2, …) the run is parked on now, if any. */
  parked?: number;
  /** The last pause a resume released. */
  resumed: number;
}

/** A pause for the run's invocation itself, as its pause watcher hears it. */
export interface PauseOrder {
  /** Also stop the steps it runs now (pause-now). */
  now: boolean;
}

const STATE = "state";
const WATCHER = "watcher";
/** The worker the run's invocation says it is pinned to (its journaled input's). */
const WORKER = "worker";
/** The invocation's awakeable for its next pause, while it executes or waits. */
const PAUSE_WATCHER = "pauseWatcher";
/** A pause that came while the invocation had no pause watcher: handed to the next one. */
const REQUESTED = "requested";

/**
 * A paused run's invocation parked until someone resumes it (keyed by run id). The run
 * registers an awakeable with `park` *before* it tells the board it paused, so a resume
 * that follows what the board saw always finds it; `resume` resolves it. A resume with no
 * parked run changes nothing (the pause had not taken effect: the run simply goes on).
 */
export const runParking = restate.object({
  name: "PhaseboardRunParking",
  handlers: {
    /**
     * The run's invocation registers the awakeable it races with everything it waits on
     * (see InvocationAwaits.interrupt), and says which worker it is pinned to. A pause that
     * came first resolves it at once.
     */
    watchPause: async (
      ctx: restate.ObjectContext,
      input: { awakeableId: string; workerId: string },
    ) => {
      ctx.set(WORKER, input.workerId);
      const requested = await ctx.get<PauseOrder>(REQUESTED);
      if (requested) {
        ctx.clear(REQUESTED);
        ctx.resolveAwakeable(input.awakeableId, requested);
        return;
      }
      ctx.set(PAUSE_WATCHER, input.awakeableId);
    },
    /**
     * Pauses the run, wherever it is: its invocation hears it at once (a sleep or a wait
     * for a signal parks; a running step finishes first unless `now`), and the queue of the
     * worker the run is pinned to answers its queued jobs "paused" and, with `now`, stops
     * its running ones. `worker` is the caller's guess, used only until the invocation said
     * its own. A run already parked stays as it is.
     */
    pause: async (
      ctx: restate.ObjectContext,
      input: { runId: string; now: boolean; worker: string },
    ): Promise<{ worker: string }> => {
      const worker = (await ctx.get<string>(WORKER)) ?? input.worker;
      const state = (await ctx.get<ParkingState>(STATE)) ?? { resumed: 0 };
      if (state.parked !== undefined && state.parked > state.resumed) return { worker };
      ctx
        .objectSendClient(stepJobQueue, worker)
        .pause({ runId: input.runId, now: input.now, hold: false });
      const order: PauseOrder = { now: input.now };
      const watcher = await ctx.get<string>(PAUSE_WATCHER);
      if (watcher) {
        ctx.clear(PAUSE_WATCHER);
        ctx.resolveAwakeable(watcher, order);
      } else {
        const requested = await ctx.get<PauseOrder>(REQUESTED);
        ctx.set(REQUESTED, { now: input.now || requested?.now === true });
      }
      return { worker };
    },
    /** The run ended: nothing waits for a pause any more. */
    ended: async (ctx: restate.ObjectContext) => {
      ctx.clear(PAUSE_WATCHER);
      ctx.clear(REQUESTED);
    },
    park: async (ctx: restate.ObjectContext, input: { awakeableId: string; pause: number }) => {
      const state = (await ctx.get<ParkingState>(STATE)) ?? { resumed: 0 };
      if (state.resumed >= input.pause) {
        ctx.resolveAwakeable(input.awakeableId, input.pause);
        return;
      }
      ctx.set(STATE, { ...state, parked: input.pause });
      ctx.set(WATCHER, input.awakeableId);
      // Parked is paused: a pause that had not reached the run yet is spent.
      ctx.clear(REQUESTED);
    },
    resume: async (ctx: restate.ObjectContext): Promise<{ resumed: boolean }> => {
      // A pause not yet delivered is dropped: the run simply goes on.
      ctx.clear(REQUESTED);
      const worker = await ctx.get<string>(WORKER);
      // And one held for the run's next job by an earlier server (before pauses came here).
      if (worker) await ctx.objectClient(stepJobQueue, worker).release({ runId: ctx.key });
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
