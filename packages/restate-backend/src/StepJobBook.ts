import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
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

/** A job handed to a worker to run now. */
export interface TakenJob {
  id: string;
  job: StepJob;
}

/** What `next` answers: a job to run now, or nothing queued for this worker. */
export type NextJob = TakenJob | null;

/** The part of a Restate object context the book uses (a fake one in unit tests). */
export interface BookState {
  get<T>(key: string): Promise<T | null>;
  set<T>(key: string, value: T): void;
  clear(key: string): void;
  resolveAwakeable<T>(id: string, value: T): void;
}

/** The part a shared (read-only) handler has. */
export type BookReader = Pick<BookState, "get">;

/**
 * Where the untaken jobs stand: slots `head` (inclusive) to `tail` (exclusive) hold their
 * ids in the order they are to be taken. A slot whose job was since dropped (paused,
 * aborted) is skipped when reached.
 */
interface Cursor {
  head: number;
  tail: number;
}

const CURSOR = "cursor";
/** Ids of the jobs a worker has taken and not completed: at most its concurrency. */
const TAKEN = "taken";
/** Ids of the taken jobs whose run was cancelled or paused now, for `aborted`. */
const FLAGGED = "flagged";
/** Run ids whose pause waits for their next job. */
const HELD = "held";
/** `runId\0stepKey` → the agent session a paused job left, for the step's next job. */
const SESSIONS = "sessions";
/** Awakeables of the worker's long-polls (`PhaseboardStepJobWaits`), woken by new work. */
const WATCHERS = "watchers";
/** Long-polls remembered at once; an older one that timed out is forgotten. */
const MAX_WATCHERS = 32;
/** Before each job had its own key: every job in one array (read once, then moved). */
const LEGACY_JOBS = "jobs";

const jobKey = (id: string) => `job:${id}`;
const slotKey = (n: number) => `slot:${n}`;
const runKey = (runId: string) => `run:${runId}`;
const without = (ids: string[], id: string) => ids.filter((other) => other !== id);

/**
 * The state of one worker's job queue, one key per job: every operation reads and writes
 * only the keys of the jobs it touches and a few small lists (taken ids, bounded by the
 * worker's concurrency; a run's own live jobs), never the whole queue. Before, the queue
 * was one array of full jobs rewritten by every enqueue, take and completion, so with
 * hundreds of runs in flight each operation wrote hundreds of KB to the replicated log.
 *
 * Keys: `job:<id>` the job; `slot:<n>` the untaken order (`cursor` = {head, tail});
 * `taken`; `run:<runId>` the run's live job ids (for pause); `flagged` (for `aborted`);
 * `held`, `sessions`, `watchers` as before.
 */
export class StepJobBook {
  constructor(
    private state: BookState,
    /** What a woken long-poll hears: the shard's key, so its worker takes from here first. */
    private wakeWith: string | true = true,
    /** Told when a taken job is flagged (cancelled, paused now) or no longer is. */
    private onFlag: (id: string, on: boolean) => void = () => {},
  ) {}

  private async cursor(): Promise<Cursor> {
    const cursor = await this.state.get<Cursor>(CURSOR);
    if (cursor) return cursor;
    return await this.migrateLegacy();
  }

  /** A queue written by an earlier version keeps its jobs: each moves to its own key. */
  private async migrateLegacy(): Promise<Cursor> {
    const legacy = await this.state.get<QueuedJob[]>(LEGACY_JOBS);
    const cursor: Cursor = { head: 0, tail: 0 };
    if (!legacy || legacy.length === 0) return cursor;
    const taken: string[] = [];
    const flagged: string[] = [];
    const byRun = new Map<string, string[]>();
    for (const queued of legacy) {
      this.state.set(jobKey(queued.id), queued);
      byRun.set(queued.job.runId, [...(byRun.get(queued.job.runId) ?? []), queued.id]);
      if (queued.taken) {
        taken.push(queued.id);
        if (queued.aborted || queued.paused) flagged.push(queued.id);
      } else {
        this.state.set(slotKey(cursor.tail), queued.id);
        cursor.tail += 1;
      }
    }
    for (const [runId, ids] of byRun) this.state.set(runKey(runId), ids);
    if (taken.length > 0) this.state.set(TAKEN, taken);
    if (flagged.length > 0) this.state.set(FLAGGED, flagged);
    for (const id of flagged) this.onFlag(id, true);
    this.state.set(CURSOR, cursor);
    this.state.clear(LEGACY_JOBS);
    return cursor;
  }

  private async listOf(key: string): Promise<string[]> {
    return (await this.state.get<string[]>(key)) ?? [];
  }

  private setList(key: string, ids: string[]): void {
    if (ids.length === 0) this.state.clear(key);
    else this.state.set(key, ids);
  }

  private async forgetInRun(runId: string, id: string): Promise<void> {
    this.setList(runKey(runId), without(await this.listOf(runKey(runId)), id));
  }

  private async unflag(id: string): Promise<void> {
    const flagged = await this.listOf(FLAGGED);
    if (!flagged.includes(id)) return;
    this.setList(FLAGGED, without(flagged, id));
    this.onFlag(id, false);
  }

  private async flag(id: string): Promise<void> {
    const flagged = await this.listOf(FLAGGED);
    if (flagged.includes(id)) return;
    this.state.set(FLAGGED, [...flagged, id]);
    this.onFlag(id, true);
  }

  /** Wakes every long-poll of this worker: there is a job to take. */
  private async wakeWatchers(): Promise<void> {
    const watchers = await this.listOf(WATCHERS);
    if (watchers.length === 0) return;
    for (const id of watchers) this.state.resolveAwakeable(id, this.wakeWith);
    this.state.clear(WATCHERS);
  }

  async enqueue(input: TakenJob): Promise<void> {
    if (await this.state.get<QueuedJob>(jobKey(input.id))) return;
    const held = await this.listOf(HELD);
    if (held.includes(input.job.runId)) {
      // The run was paused between worker steps: this one goes back to pending unrun.
      this.setList(HELD, without(held, input.job.runId));
      this.state.resolveAwakeable<PausedOutcome>(input.id, pausedOutcome());
      return;
    }
    let job = input.job;
    const sessions = await this.state.get<Record<string, string>>(SESSIONS);
    const sessionKey = `${job.runId}\0${job.stepKey}`;
    const sessionId = sessions?.[sessionKey];
    if (sessions && sessionId !== undefined) {
      delete sessions[sessionKey];
      this.state.set(SESSIONS, sessions);
      if (job.resumeSessionId === undefined) job = { ...job, resumeSessionId: sessionId };
    }
    const cursor = await this.cursor();
    this.state.set<QueuedJob>(jobKey(input.id), { id: input.id, job, taken: false });
    this.state.set(slotKey(cursor.tail), input.id);
    this.state.set<Cursor>(CURSOR, { head: cursor.head, tail: cursor.tail + 1 });
    this.state.set(runKey(job.runId), [...(await this.listOf(runKey(job.runId))), input.id]);
    await this.wakeWatchers();
  }

  /** Resolves the long-poll `awakeableId` now when a job may be waiting, else at the next one. */
  async watch(awakeableId: string): Promise<void> {
    const cursor = await this.cursor();
    if (cursor.head < cursor.tail) {
      this.state.resolveAwakeable(awakeableId, this.wakeWith);
      return;
    }
    const watchers = await this.listOf(WATCHERS);
    this.state.set(WATCHERS, [...watchers, awakeableId].slice(-MAX_WATCHERS));
  }

  /** Takes up to `max` of the oldest untaken jobs, in order. */
  async take(max: number): Promise<TakenJob[]> {
    if (max <= 0) return [];
    const cursor = await this.cursor();
    const out: TakenJob[] = [];
    let head = cursor.head;
    while (out.length < max && head < cursor.tail) {
      const slot = slotKey(head);
      const id = await this.state.get<string>(slot);
      this.state.clear(slot);
      head += 1;
      if (id === null) continue;
      const queued = await this.state.get<QueuedJob>(jobKey(id));
      if (!queued || queued.taken) continue;
      queued.taken = true;
      this.state.set(jobKey(id), queued);
      out.push({
        id,
        job:
          queued.sessionId !== undefined
            ? { ...queued.job, resumeSessionId: queued.sessionId }
            : queued.job,
      });
    }
    if (head !== cursor.head) this.state.set<Cursor>(CURSOR, { head, tail: cursor.tail });
    if (out.length > 0) {
      this.state.set(TAKEN, [...(await this.listOf(TAKEN)), ...out.map((taken) => taken.id)]);
    }
    return out;
  }

  async session(id: string, sessionId: string): Promise<void> {
    const queued = await this.state.get<QueuedJob>(jobKey(id));
    if (!queued) return;
    queued.sessionId = sessionId;
    this.state.set(jobKey(id), queued);
  }

  /** Resolves the job's awakeable and forgets it; false when it is not (or no longer) queued. */
  async complete(id: string, outcome: StepJobOutcome): Promise<boolean> {
    const queued = await this.state.get<QueuedJob>(jobKey(id));
    if (!queued) return false;
    this.state.clear(jobKey(id));
    if (queued.taken) this.setList(TAKEN, without(await this.listOf(TAKEN), id));
    if (queued.aborted || queued.paused) await this.unflag(id);
    await this.forgetInRun(queued.job.runId, id);
    if (queued.paused) {
      // Stopped by pause-now (or finished just as it came): the step runs again on resume,
      // continuing the agent session it had.
      const sessionId = queued.sessionId ?? queued.job.resumeSessionId;
      if (sessionId !== undefined) {
        const sessions = (await this.state.get<Record<string, string>>(SESSIONS)) ?? {};
        sessions[`${queued.job.runId}\0${queued.job.stepKey}`] = sessionId;
        this.state.set(SESSIONS, sessions);
      }
      this.state.resolveAwakeable<PausedOutcome>(id, pausedOutcome());
      return true;
    }
    this.state.resolveAwakeable(id, outcome);
    return true;
  }

  /** A job not yet taken is dropped; a taken one is marked for its worker to stop. */
  async abort(id: string): Promise<void> {
    const queued = await this.state.get<QueuedJob>(jobKey(id));
    if (!queued) return;
    if (queued.taken) {
      queued.aborted = true;
      this.state.set(jobKey(id), queued);
      await this.flag(id);
      return;
    }
    this.state.clear(jobKey(id));
    await this.forgetInRun(queued.job.runId, id);
  }

  async pause(input: PauseRequest): Promise<{ held: boolean }> {
    const ids = await this.listOf(runKey(input.runId));
    const kept: string[] = [];
    let waiting = 0;
    let marked = false;
    for (const id of ids) {
      const queued = await this.state.get<QueuedJob>(jobKey(id));
      if (!queued) continue;
      if (!queued.taken) {
        waiting += 1;
        this.state.resolveAwakeable<PausedOutcome>(id, pausedOutcome());
        this.state.clear(jobKey(id));
        continue;
      }
      kept.push(id);
      if (input.now) {
        queued.paused = true;
        marked = true;
        this.state.set(jobKey(id), queued);
        await this.flag(id);
      }
    }
    if (kept.length !== ids.length) this.setList(runKey(input.runId), kept);
    const hold = input.hold && waiting === 0 && !marked;
    if (hold) {
      const held = await this.listOf(HELD);
      if (!held.includes(input.runId)) this.state.set(HELD, [...held, input.runId]);
    }
    return { held: hold };
  }

  async release(runId: string): Promise<void> {
    const held = await this.listOf(HELD);
    if (held.includes(runId)) this.setList(HELD, without(held, runId));
  }

  /**
   * A worker starting: every job its previous life had taken goes back to the front of the
   * queue (a job paused meanwhile is answered now instead of running again first).
   */
  async hello(): Promise<{ requeued: number }> {
    const cursor = await this.cursor();
    const taken = await this.listOf(TAKEN);
    let head = cursor.head;
    let requeued = 0;
    // Put back in reverse, so the oldest taken job is taken first again.
    for (const id of [...taken].reverse()) {
      const queued = await this.state.get<QueuedJob>(jobKey(id));
      if (!queued) continue;
      if (queued.paused) {
        this.state.resolveAwakeable<PausedOutcome>(id, pausedOutcome());
        this.state.clear(jobKey(id));
        await this.unflag(id);
        await this.forgetInRun(queued.job.runId, id);
        continue;
      }
      queued.taken = false;
      this.state.set(jobKey(id), queued);
      head -= 1;
      this.state.set(slotKey(head), id);
      requeued += 1;
    }
    if (taken.length > 0) this.state.clear(TAKEN);
    if (head !== cursor.head) this.state.set<Cursor>(CURSOR, { head, tail: cursor.tail });
    if (requeued > 0) await this.wakeWatchers();
    return { requeued };
  }
}

/** Ids of the taken jobs whose run was cancelled or paused now. */
export async function flaggedJobs(state: BookReader): Promise<string[]> {
  return (await state.get<string[]>(FLAGGED)) ?? [];
}

/** Every job of the queue: taken ones first, then the untaken in the order they go out. */
export async function listJobs(state: BookReader): Promise<QueuedJob[]> {
  const legacy = await state.get<QueuedJob[]>(LEGACY_JOBS);
  if (legacy) return legacy;
  const ids = [...((await state.get<string[]>(TAKEN)) ?? [])];
  const cursor = (await state.get<Cursor>(CURSOR)) ?? { head: 0, tail: 0 };
  for (let n = cursor.head; n < cursor.tail; n++) {
    const id = await state.get<string>(slotKey(n));
    if (id !== null) ids.push(id);
  }
  const jobs: QueuedJob[] = [];
  for (const id of ids) {
    const queued = await state.get<QueuedJob>(jobKey(id));
    if (queued && !jobs.some((other) => other.id === id)) jobs.push(queued);
  }
  return jobs;
}
