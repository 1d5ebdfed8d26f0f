import "./polyfillPromiseWithResolvers.js";
import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import { type PausedOutcome, pausedOutcome } from "./pausedOutcome.js";

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
  /**
   * Its run was paused now while the worker ran it: the worker stops the process group and
   * whatever it completes, the run hears "paused" (the step goes back to pending).
   */
  paused?: boolean;
}

/** A pause for one run, from the server (`hold`) or from the run itself (its other jobs). */
export interface PauseRequest {
  runId: string;
  /** Also stop the run's jobs a worker is running now (pause-now). */
  now: boolean;
  /**
   * Keep the pause for the run's next job when none of its jobs took it now (the run is
   * between worker steps): that job is answered "paused" without running.
   */
  hold: boolean;
}

/** What `next` answers: a job to run now, or nothing queued for this worker. */
export type NextJob = { id: string; job: StepJob } | null;

const JOBS = "jobs";
/** Run ids whose pause waits for their next job. */
const HELD = "held";
/** `runId\0stepKey` → the agent session a paused job left, for the step's next job. */
const SESSIONS = "sessions";
/** Awakeables of the worker's long-polls (`PhaseboardStepJobWaits`), woken by new work. */
const WATCHERS = "watchers";
/** Long-polls remembered at once; an older one that timed out is forgotten. */
const MAX_WATCHERS = 32;

/** Wakes every long-poll of this worker: there is a job to take. */
async function wakeWatchers(ctx: restate.ObjectContext): Promise<void> {
  const watchers = (await ctx.get<string[]>(WATCHERS)) ?? [];
  if (watchers.length === 0) return;
  for (const id of watchers) ctx.resolveAwakeable(id, true);
  ctx.clear(WATCHERS);
}

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
 * - `pause` answers the run's queued jobs "paused", marks its running ones for the worker to
 *   stop (pause-now), or holds the pause for the run's next job; `release` drops a held
 *   pause (the run was resumed before it took effect). A paused job's agent session is
 *   handed to the step's next job, so the agent continues its session after resume.
 */
export const stepJobQueue = restate.object({
  name: "PhaseboardStepJobs",
  handlers: {
    enqueue: async (ctx: restate.ObjectContext, input: { id: string; job: StepJob }) => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      if (jobs.some((queued) => queued.id === input.id)) return;
      const held = (await ctx.get<string[]>(HELD)) ?? [];
      if (held.includes(input.job.runId)) {
        // The run was paused between worker steps: this one goes back to pending unrun.
        ctx.set(
          HELD,
          held.filter((runId) => runId !== input.job.runId),
        );
        ctx.resolveAwakeable<PausedOutcome>(input.id, pausedOutcome());
        return;
      }
      const sessions = (await ctx.get<Record<string, string>>(SESSIONS)) ?? {};
      const sessionKey = `${input.job.runId}\0${input.job.stepKey}`;
      const sessionId = sessions[sessionKey];
      let job = input.job;
      if (sessionId !== undefined) {
        delete sessions[sessionKey];
        ctx.set(SESSIONS, sessions);
        if (job.resumeSessionId === undefined) job = { ...job, resumeSessionId: sessionId };
      }
      jobs.push({ id: input.id, job, taken: false });
      ctx.set(JOBS, jobs);
      await wakeWatchers(ctx);
    },
    /**
     * A worker's long-poll waits on `awakeableId`: resolved now when a job is waiting, else
     * by the next `enqueue` (or `hello`). Quick, so the object is never held while waiting.
     */
    watch: async (ctx: restate.ObjectContext, input: { awakeableId: string }) => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      if (jobs.some((queued) => !queued.taken)) {
        ctx.resolveAwakeable(input.awakeableId, true);
        return;
      }
      const watchers = (await ctx.get<string[]>(WATCHERS)) ?? [];
      ctx.set(WATCHERS, [...watchers, input.awakeableId].slice(-MAX_WATCHERS));
    },
    pause: async (ctx: restate.ObjectContext, input: PauseRequest): Promise<{ held: boolean }> => {
      const jobs = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      const ofRun = jobs.filter((queued) => queued.job.runId === input.runId);
      const waiting = ofRun.filter((queued) => !queued.taken);
      for (const queued of waiting) ctx.resolveAwakeable<PausedOutcome>(queued.id, pausedOutcome());
      let marked = false;
      if (input.now) {
        for (const queued of ofRun) {
          if (queued.taken) {
            queued.paused = true;
            marked = true;
          }
        }
      }
      ctx.set(
        JOBS,
        jobs.filter((queued) => !waiting.includes(queued)),
      );
      const hold = input.hold && waiting.length === 0 && !marked;
      if (hold) {
        const held = (await ctx.get<string[]>(HELD)) ?? [];
        if (!held.includes(input.runId)) ctx.set(HELD, [...held, input.runId]);
      }
      return { held: hold };
    },
    release: async (ctx: restate.ObjectContext, input: { runId: string }) => {
      const held = (await ctx.get<string[]>(HELD)) ?? [];
      if (held.includes(input.runId)) {
        ctx.set(
          HELD,
          held.filter((runId) => runId !== input.runId),
        );
      }
    },
    hello: async (ctx: restate.ObjectContext): Promise<{ requeued: number }> => {
      const all = (await ctx.get<QueuedJob[]>(JOBS)) ?? [];
      // A job paused while its worker was dead is answered now, not run again first.
      const paused = all.filter((queued) => queued.paused);
      for (const queued of paused) ctx.resolveAwakeable<PausedOutcome>(queued.id, pausedOutcome());
      const jobs = all.filter((queued) => !queued.paused);
      const requeued = jobs.filter((queued) => queued.taken).length;
      ctx.set(
        JOBS,
        jobs.map((queued) => ({ ...queued, taken: false })),
      );
      if (requeued > 0) await wakeWatchers(ctx);
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
      const [queued] = jobs.splice(index, 1) as [QueuedJob];
      ctx.set(JOBS, jobs);
      if (queued.paused) {
        // Stopped by pause-now (or finished just as it came): the step runs again on resume,
        // continuing the agent session it had.
        const sessionId = queued.sessionId ?? queued.job.resumeSessionId;
        if (sessionId !== undefined) {
          const sessions = (await ctx.get<Record<string, string>>(SESSIONS)) ?? {};
          sessions[`${queued.job.runId}\0${queued.job.stepKey}`] = sessionId;
          ctx.set(SESSIONS, sessions);
        }
        ctx.resolveAwakeable<PausedOutcome>(input.id, pausedOutcome());
        return { accepted: true };
      }
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
    /**
     * Ids of the taken jobs whose run was cancelled or paused now, polled by a worker while
     * it runs jobs.
     */
    aborted: restate.handlers.object.shared(
      async (ctx: restate.ObjectSharedContext): Promise<string[]> =>
        ((await ctx.get<QueuedJob[]>(JOBS)) ?? [])
          .filter((queued) => queued.aborted || queued.paused)
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
