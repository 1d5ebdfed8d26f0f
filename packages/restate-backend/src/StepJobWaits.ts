import "./polyfillPromiseWithResolvers.js";
import * as restate from "@restatedev/restate-sdk";
import { stepJobShard } from "./StepJobShard.js";
import { shardKeys } from "./stepJobShards.js";

/** The longest a worker's long-poll may wait (ms): an ingress request must end some time. */
export const MAX_JOB_WAIT_MS = 60_000;

/**
 * A worker's long-poll for work, so an idle worker does not ask its queue every few
 * hundred milliseconds. A service, not a handler of the queue object: an exclusive handler
 * that waited would hold the queue (no `enqueue` or `complete` could run meanwhile). It
 * registers an awakeable with the `watch` of each of the queue's shards and suspends until `enqueue` resolves
 * it or the wait times out (a durable timer). It only answers whether there is work; the
 * worker then takes a job with `next`, so a long-poll whose caller went away (a dropped
 * connection) never takes a job that nobody runs.
 */
export const stepJobWaits = restate.service({
  name: "PhaseboardStepJobWaits",
  handlers: {
    wait: async (
      ctx: restate.Context,
      input: { workerId: string; timeoutMs: number },
    ): Promise<{ ready: boolean; shard?: string }> => {
      // Resolved with the key of the shard that has work (`true` from an older queue).
      const woken = ctx.awakeable<string | boolean>();
      // Any shard with a job, or the first to get one, wakes it (later resolves are ignored).
      for (const key of shardKeys(input.workerId)) {
        ctx.objectSendClient(stepJobShard, key).watch({ awakeableId: woken.id });
      }
      const timeout = Math.min(Math.max(0, input.timeoutMs), MAX_JOB_WAIT_MS);
      const ready = await restate.RestatePromise.race([
        woken.promise,
        ctx.sleep(timeout, "job wait").map(() => false),
      ]);
      return typeof ready === "string" ? { ready: true, shard: ready } : { ready };
    },
  },
});

export type StepJobWaits = typeof stepJobWaits;
