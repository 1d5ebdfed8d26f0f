import "./polyfillPromiseWithResolvers.js";
import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import {
  flaggedJobs,
  listJobs,
  type NextJob,
  type PauseRequest,
  type QueuedJob,
  StepJobBook,
  type TakenJob,
} from "./StepJobBook.js";
import { stepJobFlags } from "./StepJobFlags.js";
import { workerOfShard } from "./stepJobShards.js";

export type { NextJob, PauseRequest, QueuedJob, TakenJob } from "./StepJobBook.js";

/** What `complete` answers: whether it was the job's completion, and the next jobs taken. */
export interface CompleteAnswer {
  accepted: boolean;
  /** Up to `take` jobs handed to the worker in the same call (complete-and-next). */
  next?: TakenJob[];
}

/**
 * One shard of a worker's job queue (see StepJobQueue), keyed `<workerId>#<n>`: the jobs of
 * the runs whose id hashes to `n`. A virtual object: Restate runs its exclusive handlers
 * one at a time per key, so taking and completing a job never race. Each job has its own
 * state key (see StepJobBook), so an operation writes the same with 5 or 500 jobs queued.
 * State is read eagerly (sent with each invocation): a shard holds a fraction of a worker's
 * jobs, and a lazy read is one more round trip while the shard's lock is held.
 *
 * - `enqueue` adds a job; its id is the awakeable the run waits on.
 * - `hello` (a worker starting) hands every job it had taken back: a worker that starts
 *   again has lost the processes of its previous life, so those steps run again.
 * - `take` takes up to `max` of the oldest untaken jobs (`next`: one).
 * - `complete` resolves the job's awakeable with its outcome and forgets the job; a second
 *   completion of the same job (a retried request) changes nothing. With `take` it also
 *   takes the shard's next jobs, so a busy worker makes one call per step.
 * - `pause` answers the run's queued jobs "paused", marks its running ones for the worker to
 *   stop (pause-now), or holds the pause for the run's next job; `release` drops a held
 *   pause (the run was resumed before it took effect). A paused job's agent session is
 *   handed to the step's next job, so the agent continues its session after resume.
 */
/** The shard's book; flags go to the worker's flag list, which the worker polls. */
function book(ctx: restate.ObjectContext): StepJobBook {
  return new StepJobBook(ctx, ctx.key, (id, on) => {
    ctx.objectSendClient(stepJobFlags, workerOfShard(ctx.key)).set({ id, on });
  });
}

export const stepJobShard = restate.object({
  name: "PhaseboardStepJobShard",
  handlers: {
    enqueue: async (ctx: restate.ObjectContext, input: { id: string; job: StepJob }) => {
      await book(ctx).enqueue(input);
    },
    /**
     * A worker's long-poll waits on `awakeableId`: resolved now when a job is waiting, else
     * by the next `enqueue` (or `hello`). Quick, so the object is never held while waiting.
     */
    watch: async (ctx: restate.ObjectContext, input: { awakeableId: string }) => {
      await book(ctx).watch(input.awakeableId);
    },
    pause: async (ctx: restate.ObjectContext, input: PauseRequest): Promise<{ held: boolean }> =>
      await book(ctx).pause(input),
    release: async (ctx: restate.ObjectContext, input: { runId: string }) => {
      await book(ctx).release(input.runId);
    },
    hello: async (ctx: restate.ObjectContext): Promise<{ requeued: number }> =>
      await book(ctx).hello(),
    next: async (ctx: restate.ObjectContext): Promise<NextJob> =>
      (await book(ctx).take(1))[0] ?? null,
    take: async (ctx: restate.ObjectContext, input: { max: number }): Promise<TakenJob[]> =>
      await book(ctx).take(input.max),
    session: async (ctx: restate.ObjectContext, input: { id: string; sessionId: string }) => {
      await book(ctx).session(input.id, input.sessionId);
    },
    complete: async (
      ctx: restate.ObjectContext,
      input: { id: string; outcome: StepJobOutcome; take?: number },
    ): Promise<CompleteAnswer> => {
      const shard = book(ctx);
      const accepted = await shard.complete(input.id, input.outcome);
      if (!input.take) return { accepted };
      return { accepted, next: await shard.take(input.take) };
    },
    /**
     * The run of this job was cancelled: a job not yet taken is dropped, a taken one is
     * marked so the worker running it stops its process group (see `aborted`).
     */
    abort: async (ctx: restate.ObjectContext, input: { id: string }) => {
      await book(ctx).abort(input.id);
    },
    /**
     * Ids of the taken jobs whose run was cancelled or paused now, polled by a worker while
     * it runs jobs.
     */
    aborted: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<string[]> => await flaggedJobs(ctx),
    ),
    /** The jobs queued for this worker, for the board and for tests. */
    list: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<QueuedJob[]> => await listJobs(ctx),
    ),
  },
});

export type StepJobShard = typeof stepJobShard;
