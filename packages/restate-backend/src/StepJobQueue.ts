import "./polyfillPromiseWithResolvers.js";
import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";

/** A job waiting in a worker's queue; its id is the awakeable the run waits on. */
export interface QueuedJob {
  id: string;
  job: StepJob;
  /** Handed to the worker (and not yet completed). */
  taken: boolean;
  /** The agent session the job's last attempt reported, to continue after a worker loss. */
  sessionId?: string;
  /** Its run was cancelled while the worker ran it: the worker stops the process group. */
  aborted?: boolean;
}

/** What `next` answers: a job to run now, or nothing queued for this worker. */
export type NextJob = { id: string; job: StepJob } | null;

const JOBS = "jobs";

/**
 * The step jobs of the runs pinned to one worker, keyed by the worker's id. A virtual
 * object: Restate runs its exclusive handlers one at a time per key, so taking and
 * completing a job never race. Workers only call in (ingress HTTP), so one behind a
 * router can still serve runs.
 *
 * - `enqueue` (from a run's invocation) adds a job; its id is the awakeable the run waits on.
 * - `hello` (a worker starting) hands every job it had taken back: a worker that starts
 *   again has lost the processes of its previous life, so those steps run again.
 * - `next` takes the oldest untaken job.
 * - `complete` resolves the job's awakeable with its outcome and forgets the job; a second
 *   completion of the same job (a retried request) changes nothing.
 */
export const stepJobQueue = restate.object({
  name: "PhaseboardStepJobs",
  handlers: {
    enqueue: async (ctx: restate.ObjectContext, input: { id: string; job: StepJob }) => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      if (jobs.some((queued) => queued.id === input.id)) return;
      jobs.push({ id: input.id, job: input.job, taken: false });
      ctx.set(JOBS, jobs);
    },
    hello: async (ctx: restate.ObjectContext): Promise<{ requeued: number }> => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      const requeued = jobs.filter((queued) => queued.taken).length;
      ctx.set(
        JOBS,
        jobs.map((queued) => ({ ...queued, taken: false })),
      );
      return { requeued };
    },
    next: async (ctx: restate.ObjectContext): Promise<NextJob> => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      const queued = jobs.find((candidate) => !candidate.taken);
      if (!queued) return null;
      queued.taken = true;
      ctx.set(JOBS, jobs);
      const job =
        queued.sessionId !== undefined
          ? { ...queued.job, resumeSessionId: queued.sessionId }
          : queued.job;
      return { id: queued.id, job };
    },
    session: async (ctx: restate.ObjectContext, input: { id: string; sessionId: string }) => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      const queued = jobs.find((candidate) => candidate.id === input.id);
      if (!queued) return;
      queued.sessionId = input.sessionId;
      ctx.set(JOBS, jobs);
    },
    complete: async (
      ctx: restate.ObjectContext,
      input: { id: string; outcome: StepJobOutcome },
    ): Promise<{ accepted: boolean }> => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      const index = jobs.findIndex((candidate) => candidate.id === input.id);
      if (index < 0) return { accepted: false };
      jobs.splice(index, 1);
      ctx.set(JOBS, jobs);
      ctx.resolveAwakeable(input.id, input.outcome);
      return { accepted: true };
    },
    /**
     * The run of this job was cancelled: a job not yet taken is dropped, a taken one is
     * marked so the worker running it stops its process group (see `aborted`).
     */
    abort: async (ctx: restate.ObjectContext, input: { id: string }) => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      const queued = jobs.find((candidate) => candidate.id === input.id);
      if (!queued) return;
      if (queued.taken) queued.aborted = true;
      ctx.set(JOBS, queued.taken ? jobs : jobs.filter((candidate) => candidate.id !== input.id));
    },
    /** Ids of the taken jobs whose run was cancelled, polled by a worker while it runs jobs. */
    aborted: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<string[]> =>
        ((await ctx.get<QueuedJob[]>(JOBS)) ?? [])
          .filter((queued) => queued.aborted)
          .map((queued) => queued.id),
    ),
    /** The jobs queued for this worker, for the board and for tests. */
    list: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<QueuedJob[]> =>
        (await ctx.get<QueuedJob[]>(JOBS)) ?? [],
    ),
  },
});

export type StepJobQueue = typeof stepJobQueue;
