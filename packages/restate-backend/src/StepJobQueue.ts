import "./polyfillPromiseWithResolvers.js";
import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import { stepJobFlags } from "./StepJobFlags.js";
import {
  type CompleteAnswer,
  type NextJob,
  type PauseRequest,
  type QueuedJob,
  stepJobShard,
} from "./StepJobShard.js";
import { shardKeys, shardOf } from "./stepJobShards.js";

export type { CompleteAnswer, NextJob, PauseRequest, QueuedJob, TakenJob } from "./StepJobShard.js";

const shared = restate.handlers.object.shared;

/**
 * The step jobs of the runs pinned to one worker, keyed by the worker's id: where runs,
 * servers and workers address a worker's queue. The jobs themselves live in the queue's
 * shards (`PhaseboardStepJobShard`, `<workerId>#<n>` by a hash of the run id, see
 * StepJobShard): one exclusive key per worker made every enqueue and completion of every
 * run wait for the one before, so with many runs in flight the key, not the steps, set the
 * pace. Every handler here is shared (it holds no lock and no state) and forwards to the
 * run's shard, or to all of them. A new worker calls the shards directly
 * (StepWorker); `next` and `complete` stay for one that does not.
 *
 * A run's invocation sends its jobs, their aborts and its own pauses straight to its shard
 * (`shardOf`), so they arrive in the order it sent them. The forwarding `enqueue`, `abort`,
 * `next` and `complete` stay for callers built before the shards: runs still executing on
 * an older deployment (Restate routes their calls to this one) and older workers.
 */
export const stepJobQueue = restate.object({
  name: "PhaseboardStepJobs",
  handlers: {
    enqueue: shared(
      async (ctx: restate.ObjectSharedContext, input: { id: string; job: StepJob }) => {
        ctx.objectSendClient(stepJobShard, shardOf(ctx.key, input.job.runId)).enqueue(input);
      },
    ),
    pause: shared(
      async (ctx: restate.ObjectSharedContext, input: PauseRequest): Promise<{ held: boolean }> =>
        await ctx.objectClient(stepJobShard, shardOf(ctx.key, input.runId)).pause(input),
    ),
    release: shared(async (ctx: restate.ObjectSharedContext, input: { runId: string }) => {
      await ctx.objectClient(stepJobShard, shardOf(ctx.key, input.runId)).release(input);
    }),
    /** A worker starting: every shard hands back the jobs it had taken. */
    hello: shared(async (ctx: restate.ObjectSharedContext): Promise<{ requeued: number }> => {
      const answers = await restate.RestatePromise.all(
        shardKeys(ctx.key).map((key) => ctx.objectClient(stepJobShard, key).hello()),
      );
      return { requeued: answers.reduce((sum, answer) => sum + answer.requeued, 0) };
    }),
    /** One job from the first shard that has one (a worker that does not know the shards). */
    next: shared(async (ctx: restate.ObjectSharedContext): Promise<NextJob> => {
      for (const key of shardKeys(ctx.key)) {
        const [job] = await ctx.objectClient(stepJobShard, key).take({ max: 1 });
        if (job) return job;
      }
      return null;
    }),
    complete: shared(
      async (
        ctx: restate.ObjectSharedContext,
        input: { id: string; outcome: StepJobOutcome; runId?: string },
      ): Promise<CompleteAnswer> => {
        if (input.runId !== undefined) {
          const key = shardOf(ctx.key, input.runId);
          return await ctx.objectClient(stepJobShard, key).complete(input);
        }
        for (const key of shardKeys(ctx.key)) {
          const answer = await ctx.objectClient(stepJobShard, key).complete(input);
          if (answer.accepted) return answer;
        }
        return { accepted: false };
      },
    ),
    session: shared(
      async (ctx: restate.ObjectSharedContext, input: { id: string; sessionId: string }) => {
        for (const key of shardKeys(ctx.key))
          ctx.objectSendClient(stepJobShard, key).session(input);
      },
    ),
    /** The run of this job was cancelled: every shard drops or marks the job (one has it). */
    abort: shared(async (ctx: restate.ObjectSharedContext, input: { id: string }) => {
      for (const key of shardKeys(ctx.key)) ctx.objectSendClient(stepJobShard, key).abort(input);
    }),
    /** Ids of the taken jobs whose run was cancelled or paused now (see StepJobFlags). */
    aborted: shared(
      async (ctx: restate.ObjectSharedContext): Promise<string[]> =>
        await ctx.objectClient(stepJobFlags, ctx.key).list(),
    ),
    /** The jobs queued for this worker, for the board and for tests. */
    list: shared(async (ctx: restate.ObjectSharedContext): Promise<QueuedJob[]> => {
      const answers = await restate.RestatePromise.all(
        shardKeys(ctx.key).map((key) => ctx.objectClient(stepJobShard, key).list()),
      );
      return answers.flat();
    }),
  },
});

export type StepJobQueue = typeof stepJobQueue;
