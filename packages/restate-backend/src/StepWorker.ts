import "./polyfillPromiseWithResolvers.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { AgentRunner } from "@phaseboard/agent-cli";
import {
  runStepJob,
  type StepJob,
  type StepJobOutcome,
  type StepLogEvent,
} from "@phaseboard/workflow-engine";
import * as clients from "@restatedev/restate-sdk-clients";
import { type RunEvents, runEvents } from "./RunEvents.js";
import { type StepJobFlags, stepJobFlags } from "./StepJobFlags.js";
import { type StepJobQueue, stepJobQueue } from "./StepJobQueue.js";
import {
  type CompleteAnswer,
  type StepJobShard,
  stepJobShard,
  type TakenJob,
} from "./StepJobShard.js";
import { type StepJobWaits, stepJobWaits } from "./StepJobWaits.js";
import { StepProgressSender } from "./StepProgressSender.js";
import { shardKeys, shardOf } from "./stepJobShards.js";

const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface StepWorkerOptions {
  /** The Restate ingress the worker calls (outbound only). */
  ingressUrl: string;
  /** Names the worker; runs pinned to it send their step jobs to its queue. */
  workerId: string;
  /** Where the worker keeps the process group of each running step (per machine). */
  stateDir: string;
  /** Steps run at once (default 4). */
  concurrency?: number;
  /**
   * How long one long-poll of an empty queue waits for a job (ms, default 20 000): the
   * worker's idle cost is one request per this long, not one per poll interval.
   */
  jobWaitMs?: number;
  /**
   * How often the worker asks whether a running step's run was cancelled or paused now, and
   * the pause before asking again after a failed request (ms, default 200).
   */
  pollIntervalMs?: number;
  /** Wait between two batches of a step's progress lines to the board (ms, default 200). */
  progressIntervalMs?: number;
  /** Progress lines held per step between batches; more are dropped with a marker (default 100). */
  progressMaxLines?: number;
  /** Wait after SIGINT and again after SIGTERM before escalating (ms, default 1 000). */
  killGraceMs?: number;
  runAgent?: AgentRunner;
  /** Every step event, as it happens (the worker's own log). */
  onEvent?(job: StepJob, event: StepLogEvent): void;
  /** Told when a job starts and ends (for logs). */
  onJob?(event: { phase: "started" | "completed"; job: StepJob; ok?: boolean }): void;
}

/** A worker id is a queue key and a folder name: letters, digits, `.`, `_`, `-`. */
export function checkWorkerId(workerId: string): string {
  if (!WORKER_ID.test(workerId)) {
    throw new Error(
      `worker id ${JSON.stringify(workerId)} is not valid: use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return workerId;
}

/**
 * `phaseboard worker`: pulls the step jobs of the runs pinned to it from its queue on the
 * Restate cluster, runs them with the engine's step runners (scripts, agent CLIs) on this
 * machine, and completes them back. On start it hands back the jobs its previous life
 * had taken, so a step cut short by the worker's death runs again (after the process
 * group it left is ended), and an agent step continues its recorded session.
 *
 * @example
 * const worker = new StepWorker({ ingressUrl, workerId: "laptop", stateDir, runAgent });
 * await worker.start();
 * // …
 * await worker.stop();
 */
export class StepWorker {
  private ingress: clients.Ingress;
  private queue: clients.IngressClient<clients.VirtualObject<StepJobQueue>>;
  private flags: clients.IngressClient<clients.VirtualObject<StepJobFlags>>;
  /** The queue's shards, by key: the worker takes, completes and polls them directly. */
  private shards = new Map<string, clients.IngressClient<clients.VirtualObject<StepJobShard>>>();
  /** Shards a long-poll said have work: an idle take asks them first. */
  private hinted = new Set<string>();
  /** Jobs taken from a shard beyond what the idle loops asked for, next in line. */
  private ready: TakenJob[] = [];
  private waits: clients.IngressClient<clients.Service<StepJobWaits>>;
  /** The one long-poll in flight, shared by every idle loop. */
  private waiting: Promise<void> | undefined;
  private stopping = new AbortController();
  private loops: Promise<void>[] = [];
  /** The jobs running here, by id: a cancelled run's job is aborted through its controller. */
  private running = new Map<string, AbortController>();
  private watch: NodeJS.Timeout | undefined;
  /** Idle loops waiting for the `take` call they share. */
  private takers: Array<(job: TakenJob | null | undefined) => void> = [];
  private taking = false;

  constructor(readonly options: StepWorkerOptions) {
    checkWorkerId(options.workerId);
    this.ingress = clients.connect({ url: options.ingressUrl });
    this.queue = this.ingress.objectClient<StepJobQueue>(stepJobQueue, options.workerId);
    this.waits = this.ingress.serviceClient<StepJobWaits>(stepJobWaits);
    this.flags = this.ingress.objectClient<StepJobFlags>(stepJobFlags, options.workerId);
    for (const key of shardKeys(options.workerId)) {
      this.shards.set(key, this.ingress.objectClient<StepJobShard>(stepJobShard, key));
    }
  }

  private shard(runId: string): clients.IngressClient<clients.VirtualObject<StepJobShard>> {
    const shard = this.shards.get(shardOf(this.options.workerId, runId));
    if (!shard) throw new Error(`no shard for run ${runId}`);
    return shard;
  }

  async start(): Promise<{ requeued: number }> {
    mkdirSync(this.options.stateDir, { recursive: true });
    const hello = await this.queue.hello();
    for (let i = 0; i < (this.options.concurrency ?? 4); i++) this.loops.push(this.loop());
    this.watch = setInterval(() => void this.abortCancelled(), this.options.pollIntervalMs ?? 200);
    return hello;
  }

  /** Stops pulling and interrupts running steps (their jobs stay taken until the next start). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("worker stopping"));
    clearInterval(this.watch);
    await Promise.allSettled(this.loops);
  }

  /** Stops the process group of each running job whose run was cancelled or paused now. */
  private async abortCancelled(): Promise<void> {
    if (this.running.size === 0) return;
    let ids: string[];
    try {
      ids = await this.flags.list();
    } catch {
      return;
    }
    for (const id of ids) {
      this.running.get(id)?.abort(new Error("the run was cancelled or paused"));
    }
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    const pause = this.options.pollIntervalMs ?? 200;
    // The job this loop runs next: handed back by its last completion, or taken when idle.
    let next: TakenJob | null | undefined = null;
    while (!signal.aborted) {
      if (next === null) next = await this.take();
      if (next === undefined) {
        // The cluster moves leaders or restarts: ask again shortly.
        next = null;
        await new Promise((resolve) => setTimeout(resolve, pause));
        continue;
      }
      if (next === null) {
        await this.waitForWork();
        continue;
      }
      next = await this.run(next.id, next.job);
    }
  }

  /**
   * Takes one job for an idle loop. The loops idle at the same moment (all woken by one
   * long-poll) share one `take` call for as many jobs as there are of them. Resolves
   * `null` when the queue is empty, `undefined` when the cluster did not answer.
   */
  private take(): Promise<TakenJob | null | undefined> {
    return new Promise((resolve) => {
      this.takers.push(resolve);
      void this.serveTakers();
    });
  }

  private async serveTakers(): Promise<void> {
    if (this.taking) return;
    this.taking = true;
    try {
      while (this.takers.length > 0) {
        const batch = this.takers.splice(0);
        const jobs = this.ready.splice(0, batch.length);
        let failed = false;
        try {
          if (jobs.length < batch.length) {
            jobs.push(...(await this.takeFromShards(batch.length - jobs.length)));
          }
        } catch {
          failed = true;
        }
        batch.forEach((resolve, i) => {
          resolve(jobs[i] ?? (failed ? undefined : null));
        });
      }
    } finally {
      this.taking = false;
    }
  }

  /**
   * Waits until the queue has a job (or the long-poll times out, or the worker stops). One
   * long-poll serves every idle loop; a failed one waits a poll interval before the next.
   */
  private waitForWork(): Promise<void> {
    this.waiting ??= (async () => {
      const signal = this.stopping.signal;
      try {
        const { shard } = await this.waits.wait(
          { workerId: this.options.workerId, timeoutMs: this.options.jobWaitMs ?? 20_000 },
          clients.Opts.from({ signal }),
        );
        if (shard !== undefined) this.hinted.add(shard);
      } catch {
        if (!signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 200));
        }
      }
    })().finally(() => {
      this.waiting = undefined;
    });
    return this.waiting;
  }

  /**
   * Jobs for `max` idle loops, from the shards a long-poll said have work (none without one:
   * the loops then long-poll, whose watch answers at once when a shard has a job). Asking
   * every shard instead would cost eight invocations each time a loop runs dry. A shard may
   * hand over more than asked for; the rest wait here for the next idle loop (they are this
   * worker's, taken: a restart hands them back like running ones).
   */
  private async takeFromShards(max: number): Promise<TakenJob[]> {
    const hinted = [...this.hinted];
    this.hinted.clear();
    for (const key of hinted) {
      if (this.ready.length >= max) break;
      const shard = this.shards.get(key);
      if (shard) this.ready.push(...(await shard.take({ max: max - this.ready.length })));
    }
    return this.ready.splice(0, max);
  }

  /**
   * Runs one job and completes it, taking this loop's next job in the same call (so a busy
   * worker makes one request per step): that job, `null` when none is queued, `undefined`
   * when the worker stops.
   */
  private async run(id: string, job: StepJob): Promise<TakenJob | null | undefined> {
    this.options.onJob?.({ phase: "started", job });
    const controller = new AbortController();
    this.running.set(id, controller);
    const stop = () => controller.abort(this.stopping.signal.reason);
    // Live output for the board, outside the journal (a replayed step prints nothing).
    const feed = this.ingress.objectSendClient<RunEvents>(runEvents, job.runId);
    const progress = new StepProgressSender({
      stepKey: job.stepKey,
      send: (batch) => feed.progress(batch),
      ...(this.options.progressIntervalMs !== undefined && {
        intervalMs: this.options.progressIntervalMs,
      }),
      ...(this.options.progressMaxLines !== undefined && {
        maxLines: this.options.progressMaxLines,
      }),
    });
    this.stopping.signal.addEventListener("abort", stop, { once: true });
    const outcome = await runStepJob(job, {
      signal: controller.signal,
      emit: (event) => {
        const full: StepLogEvent = { at: new Date().toISOString(), ...event };
        this.options.onEvent?.(job, full);
        progress.push(full);
      },
      processRecord: join(
        this.options.stateDir,
        `${encodeURIComponent(job.runId)}--${encodeURIComponent(job.stepKey)}.json`,
      ),
      killGraceMs: this.options.killGraceMs ?? 1000,
      ...(this.options.runAgent && { runAgent: this.options.runAgent }),
      onAgentSession: (sessionId) => {
        void Promise.resolve(this.shard(job.runId).session({ id, sessionId })).catch(() => {});
      },
    }).finally(() => {
      this.running.delete(id);
      this.stopping.signal.removeEventListener("abort", stop);
    });
    // The last lines reach the feed before the completion does.
    await progress.close();
    if (this.stopping.signal.aborted) return undefined;
    let answer: CompleteAnswer;
    // A retry after a lost answer gets the same answer, with the job the first call took:
    // without the key, that job would stay taken by nobody until the worker restarts.
    const once = clients.Opts.from<
      { id: string; outcome: StepJobOutcome; take?: number },
      CompleteAnswer
    >({ idempotencyKey: `complete/${id}` });
    for (;;) {
      try {
        answer = await this.shard(job.runId).complete({ id, outcome, take: 1 }, once);
        break;
      } catch {
        if (this.stopping.signal.aborted) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    this.options.onJob?.({ phase: "completed", job, ok: outcome.ok });
    return answer.next?.[0] ?? null;
  }
}
