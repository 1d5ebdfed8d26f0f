import { randomUUID } from "node:crypto";
import type { RunStatus } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type {
  ExecutorOptions,
  RunHandle,
  RunHost,
  RunOutcome,
  WorkflowExecutorApi,
} from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { priceTokens, projectPrices } from "../usage/prices.js";
import type { WorkspaceHooks } from "../workspace/WorkspaceHooks.js";
import type { DefinitionCatalog } from "./DefinitionCatalog.js";
import { createPrismaRunObserver } from "./PrismaRunObserver.js";
import { type RunAction, RunTransitionError, runStatusReducer } from "./runStatusReducer.js";
import { runStoreFor } from "./runStoreFor.js";

/** setTimeout's largest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Builds the executor for one project; injected so tests and the CLI can choose. */
export type ExecutorFactory = (options: ExecutorOptions) => WorkflowExecutorApi;

export interface RunManagerOptions {
  db: DbClient;
  hub: EventHub;
  catalog: DefinitionCatalog;
  /** Absent until an executor is configured: runs then wait in the queue. */
  executorFactory?: ExecutorFactory | undefined;
  /** Runs executing at once in this process (default 4), besides the system lane's. */
  concurrency?: number;
  /**
   * The System project's folder: its runs (Build Workflow runs) execute in a lane of their
   * own with `systemConcurrency` slots, so they never take a user's run slot.
   */
  systemProjectPath?: string | undefined;
  /** Runs of the system lane executing at once (default 2). */
  systemConcurrency?: number;
  /** A lease not renewed for this long is considered abandoned (ms, default 30 000). */
  leaseMs?: number;
  /** How often the executor renews a lease (ms, default 5 000). */
  heartbeatIntervalMs?: number;
  workerId?: string;
}

interface QueueEntry {
  runId: string;
  mode: "start" | "resume";
  /** Known once the run's project has been looked up; the entry waits until then. */
  lane?: Lane;
}

/**
 * Runs queue and execute in lanes with their own slots: a person's runs in `user`, the
 * System board's Build Workflow runs in `system`, so system work never delays a user's run.
 */
export type Lane = "user" | "system";

/**
 * Runs workflows in the background: a bounded number at once, the rest queued in order.
 * Each executing run holds a lease (`worker_id`, `heartbeat_at`) so two servers on one
 * database never execute the same run, and a server that died leaves leases that expire
 * and are picked up by the next start (`recover`).
 */
export class RunManager {
  readonly workerId: string;
  readonly concurrency: number;
  readonly systemConcurrency: number;
  readonly #leaseMs: number;
  /** The lane of each run queued or executing here. */
  readonly #lanes = new Map<string, Lane>();
  /** Slots reserved by launches under way, per lane. */
  readonly #startingIn: Record<Lane, number> = { user: 0, system: 0 };
  readonly #queue: QueueEntry[] = [];
  readonly #active = new Map<string, RunHandle>();
  /** Runs resumed while their previous execution was still stopping. */
  readonly #requeue = new Set<string>();
  /**
   * Runs an executor drives on its own (child runs, continuations): not queued here, but
   * their statuses and leases are kept from what the executor reports.
   */
  readonly #driven = new Set<string>();
  /** Waiting runs with a deadline (a signal's timeout), resumed when it passes. */
  readonly #wakeTimers = new Map<string, NodeJS.Timeout>();
  readonly #executors = new Map<string, WorkflowExecutorApi>();
  #stopping = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #hostFor: ((projectId: string) => RunHost) | undefined;
  #runEnvironment: ExecutorOptions["runEnvironment"];
  #hooks: WorkspaceHooks | undefined;
  /** Runs whose workspace setup is running, to interrupt on pause, cancel or shutdown. */
  readonly #setups = new Map<string, { abort: AbortController; settled: Promise<unknown> }>();

  constructor(private readonly options: RunManagerOptions) {
    this.workerId = options.workerId ?? `server-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.concurrency = options.concurrency ?? 4;
    this.systemConcurrency = options.systemConcurrency ?? 2;
    this.#leaseMs = options.leaseMs ?? 30_000;
  }

  /** The server side of `ctx.run` and `ctx.continueAsNew`, given once RunService exists. */
  /** Variables every step of a run gets (its port block). */
  setRunEnvironment(environment: NonNullable<ExecutorOptions["runEnvironment"]>): void {
    this.#runEnvironment = environment;
  }

  setHostFactory(hostFor: (projectId: string) => RunHost): void {
    this.#hostFor = hostFor;
  }

  /** The project's setup command runs in a run's worktree before its first step. */
  setWorkspaceHooks(hooks: WorkspaceHooks): void {
    this.#hooks = hooks;
  }

  get activeCount(): number {
    return this.#active.size;
  }
  get queuedCount(): number {
    return this.#queue.length;
  }

  /** Applies one action through the reducer, persists it and emits status_changed. */
  async dispatch(runId: string, action: RunAction) {
    const { db, hub } = this.options;
    const run = await db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    const patch = runStatusReducer({ status: run.status as RunStatus }, action);
    const updated = await db.workflowRun.update({ where: { id: runId }, data: patch });
    if (updated.status !== run.status) {
      hub.publish({
        type: "workflow.execution.status_changed",
        data: {
          execution_id: runId,
          project_id: run.project_id,
          status: updated.status as RunStatus,
          error_message: updated.error_message,
        },
      });
    }
    return updated;
  }

  /**
   * Queues a run; it starts as soon as a slot is free. The promise settles once the queue
   * has been worked through as far as free slots allow (callers need not wait for it).
   */
  enqueue(runId: string, mode: QueueEntry["mode"] = "start"): Promise<void> {
    if (this.#active.has(runId) || this.#setups.has(runId)) {
      // Still winding down (a pause just asked for): queue it again once it has stopped.
      this.#requeue.add(runId);
      return Promise.resolve();
    }
    if (this.#queue.some((entry) => entry.runId === runId)) return Promise.resolve();
    const entry: QueueEntry = { runId, mode };
    this.#queue.push(entry);
    return this.#laneOf(runId).then((lane) => {
      entry.lane = lane;
      return this.#drain();
    });
  }

  /** System runs are those of the System project; everything else is a person's. */
  async #laneOf(runId: string): Promise<Lane> {
    const known = this.#lanes.get(runId);
    if (known) return known;
    const system = this.options.systemProjectPath;
    let lane: Lane = "user";
    if (system !== undefined) {
      const run = await this.options.db.workflowRun
        .findUnique({ where: { id: runId }, select: { project: { select: { path: true } } } })
        .catch(() => null);
      if (run?.project.path === system) lane = "system";
    }
    this.#lanes.set(runId, lane);
    return lane;
  }

  #slotsOf(lane: Lane): number {
    return lane === "system" ? this.systemConcurrency : this.concurrency;
  }

  /** Runs executing or being launched in `lane`. */
  #busyIn(lane: Lane): number {
    let busy = this.#startingIn[lane];
    for (const runId of this.#active.keys()) if (this.#lanes.get(runId) === lane) busy++;
    return busy;
  }

  /** Pause: the executor stops before its next step; a queued run just leaves the queue. */
  async pause(runId: string, now = false) {
    const updated = await this.dispatch(runId, { type: "pause", at: new Date() });
    this.#dequeue(runId);
    this.#setups.get(runId)?.abort.abort();
    await (await this.#controlOf(runId))?.pause({ now });
    return updated;
  }

  /**
   * A queued run that has not started waits for other runs instead (see RunDependencies).
   * Conditional on the row, so a run claimed a moment ago is never set back.
   */
  async block(runId: string) {
    const { db, hub } = this.options;
    const { count } = await db.workflowRun.updateMany({
      where: { id: runId, status: "pending", started_at: null },
      data: runStatusReducer({ status: "pending" }, { type: "block" }),
    });
    const run = await db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    if (count === 0) throw new RunTransitionError(run.status as RunStatus, "block");
    this.#dequeue(runId);
    hub.publish({
      type: "workflow.execution.status_changed",
      data: {
        execution_id: runId,
        project_id: run.project_id,
        status: "blocked",
        error_message: run.error_message,
      },
    });
    return run;
  }

  /** Every prerequisite of a blocked run completed: it is queued to start. */
  async unblock(runId: string) {
    const updated = await this.dispatch(runId, { type: "unblock" });
    void this.enqueue(runId, "start");
    return updated;
  }

  async resume(runId: string) {
    const updated = await this.dispatch(runId, { type: "resume" });
    void this.enqueue(runId, updated.started_at ? "resume" : "start");
    return updated;
  }

  async cancel(runId: string) {
    const updated = await this.dispatch(runId, { type: "cancel", at: new Date() });
    this.#dequeue(runId);
    this.#setups.get(runId)?.abort.abort();
    await (await this.#controlOf(runId))?.cancel();
    return updated;
  }

  /**
   * Pause and cancel for a run: its handle when this process executes it, else — on a
   * backend whose runs other servers execute too (restate) — the executor's reach into
   * wherever the run is. A run not yet started has nothing to reach.
   */
  async #controlOf(runId: string): Promise<Pick<RunHandle, "pause" | "cancel"> | undefined> {
    const active = this.#active.get(runId);
    if (active) return active;
    const run = await this.options.db.workflowRun.findUnique({
      where: { id: runId },
      select: { project_id: true, started_at: true },
    });
    if (!run?.started_at) return undefined;
    return (await this.#executorFor(run.project_id))?.control?.(runId);
  }

  /** Keeps steps before `phase`, forgets the rest, and queues the run to continue. */
  async rewind(runId: string, phase: string) {
    const run = await this.options.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    runStatusReducer({ status: run.status as RunStatus }, { type: "rewind" });
    const executor = await this.#executorFor(run.project_id);
    await executor?.rewind(runId, phase);
    const updated = await this.dispatch(runId, { type: "rewind" });
    await this.options.db.workflowRun.update({
      where: { id: runId },
      data: { current_phase: phase },
    });
    void this.enqueue(runId, "resume");
    return updated;
  }

  /**
   * Records a signal for the run, or for its newest continuation when it continued as a
   * new run, and wakes the run that got it; answers that run. A run that completed or was
   * cancelled takes none (`RunEndedError`, answered 409), so a sender never believes a signal reached someone.
   */
  async signal(runId: string, name: string, payload: unknown) {
    const run = await this.options.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    const executor = await this.#executorFor(run.project_id);
    if (!executor) return run;
    const target = await executor.signal(runId, name, payload);
    if (target === runId) return this.#wake(run);
    return this.#wake(
      await this.options.db.workflowRun.findUniqueOrThrow({ where: { id: target } }),
    );
  }

  async approve(
    runId: string,
    approvalId: string,
    decision: { approved: boolean; comment?: string },
  ) {
    const run = await this.options.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    const executor = await this.#executorFor(run.project_id);
    if (!executor) return run;
    await executor.approve(runId, approvalId, decision);
    return this.#wake(run);
  }

  /**
   * Resumes a waiting run when `wakeAt` passes, so a signal with a timeout times out even
   * when nothing arrives. Timers longer than setTimeout allows are re-armed.
   */
  scheduleWake(runId: string, wakeAt: Date): void {
    clearTimeout(this.#wakeTimers.get(runId));
    const delay = Math.max(0, wakeAt.getTime() - Date.now());
    const timer = setTimeout(
      () => {
        this.#wakeTimers.delete(runId);
        if (delay > MAX_TIMER_MS) return this.scheduleWake(runId, wakeAt);
        void this.options.db.workflowRun
          .findUnique({ where: { id: runId }, select: { id: true, status: true } })
          .then((run) => (run?.status === "waiting" ? this.#wake(run) : undefined))
          .catch(() => undefined);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    this.#wakeTimers.set(runId, timer);
  }

  /** A waiting run continues once what it waited for is recorded. */
  async #wake(run: { id: string; status: string }) {
    clearTimeout(this.#wakeTimers.get(run.id));
    this.#wakeTimers.delete(run.id);
    if (run.status !== "waiting")
      return this.options.db.workflowRun.findUniqueOrThrow({ where: { id: run.id } });
    const updated = await this.dispatch(run.id, { type: "wake" });
    void this.enqueue(run.id, "resume");
    return updated;
  }

  /**
   * Crash recovery at start: runs left `running` by a process whose lease expired, and
   * runs still `pending`, are queued again (resumed from their checkpoint when they had
   * started, so finished steps do not repeat).
   */
  async recover(): Promise<number> {
    const expired = new Date(Date.now() - this.#leaseMs);
    const runs = await this.options.db.workflowRun.findMany({
      where: {
        // A child run is its parent's to resume (ctx.run picks it up again).
        parent_run_id: null,
        OR: [
          { status: "pending" },
          { status: "running", OR: [{ heartbeat_at: null }, { heartbeat_at: { lt: expired } }] },
        ],
      },
      orderBy: { created_at: "asc" },
      select: { id: true, status: true, started_at: true },
    });
    // Waiting runs whose wait has a deadline get their wake-up timer back.
    const waiting = await this.options.db.workflowRun.findMany({
      where: { status: "waiting" },
      select: { id: true, project: { select: { path: true } } },
    });
    for (const run of waiting) {
      const timers = runStoreFor(run.project.path).loadCheckpoint(run.id)?.checkpoint.pending
        .timers;
      const first = Object.values(timers ?? {}).sort()[0];
      if (first) this.scheduleWake(run.id, new Date(first));
    }
    for (const run of runs) {
      if (run.status === "running") await this.dispatch(run.id, { type: "park" });
      void this.enqueue(run.id, run.started_at ? "resume" : "start");
    }
    return runs.length;
  }

  /**
   * Shutdown: take no more work, interrupt running steps and park their runs as pending
   * with no lease, so the next start resumes them from the last checkpoint.
   */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#heartbeat);
    for (const timer of this.#wakeTimers.values()) clearTimeout(timer);
    this.#wakeTimers.clear();
    this.#queue.length = 0;
    // Setups are killed and their runs parked before the database goes away.
    const setups = [...this.#setups.values()];
    for (const setup of setups) setup.abort.abort();
    await Promise.all(setups.map((setup) => setup.settled.catch(() => undefined)));
    const handles = [...this.#active.entries()];
    await Promise.all(
      handles.map(async ([runId, handle]) => {
        await handle.pause({ now: true }).catch(() => undefined);
        await handle.done.catch(() => undefined);
        const run = await this.options.db.workflowRun.findUnique({ where: { id: runId } });
        if (
          run?.status === "running" ||
          (run?.status === "paused" && run.worker_id === this.workerId)
        ) {
          await this.dispatch(runId, { type: "park" });
        }
      }),
    );
    this.#active.clear();
    // Child runs and continuations this process drove stop with their executor: park them.
    if (this.#driven.size > 0) {
      await Promise.all(
        // Only the ones still running: the table refuses the rest, which stay as they are.
        [...this.#driven].map((id) => this.dispatch(id, { type: "park" }).catch(() => undefined)),
      );
      this.#driven.clear();
    }
  }

  /**
   * Renews the leases of every run this process executes, whatever the executor does, so
   * a long step never looks abandoned to another server while this one is alive.
   */
  #startHeartbeat() {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      if (this.#active.size === 0 && this.#driven.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
        return;
      }
      void this.options.db.workflowRun
        .updateMany({
          where: {
            id: { in: [...this.#active.keys(), ...this.#driven] },
            worker_id: this.workerId,
          },
          data: { heartbeat_at: new Date() },
        })
        .catch(() => undefined);
    }, this.options.heartbeatIntervalMs ?? 5_000);
    this.#heartbeat.unref();
  }

  #dequeue(runId: string) {
    const index = this.#queue.findIndex((entry) => entry.runId === runId);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  async #executorFor(projectId: string): Promise<WorkflowExecutorApi | undefined> {
    const factory = this.options.executorFactory;
    if (!factory) return undefined;
    let executor = this.#executors.get(projectId);
    if (!executor) {
      const project = await this.options.db.project.findUniqueOrThrow({ where: { id: projectId } });
      executor = factory({
        projectPath: project.path,
        store: runStoreFor(project.path),
        workerId: this.workerId,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 5_000,
        declaredAgents: () => this.options.catalog.agents.declarations(projectId),
        ...(this.#hostFor && { host: this.#hostFor(projectId) }),
        ...(this.#runEnvironment && { runEnvironment: this.#runEnvironment }),
        observer: createPrismaRunObserver({
          db: this.options.db,
          hub: this.options.hub,
          projectId,
          // Runs launched here settle through their handle's `done`; the rest (child runs,
          // continuations) are driven by their executor and settle through this.
          onRunStatus: (event) => this.#onDrivenStatus(event),
          priceTokens: (model, tokens) => priceTokens(projectPrices(project.path), model, tokens),
        }),
      });
      this.#executors.set(projectId, executor);
    }
    return executor;
  }

  /** The worker the executor handed the run to (restate): on the row and on the card. */
  async #recordStepWorker(runId: string, worker: string): Promise<void> {
    const { db, hub } = this.options;
    const run = await db.workflowRun.update({
      where: { id: runId },
      data: { step_worker: worker },
      select: { project_id: true, status: true, error_message: true },
    });
    hub.publish({
      type: "workflow.execution.status_changed",
      data: {
        execution_id: runId,
        project_id: run.project_id,
        status: run.status as RunStatus,
        error_message: run.error_message,
        step_worker: worker,
      },
    });
  }

  async #onDrivenStatus(event: {
    runId: string;
    status: string;
    error?: { message: string };
    result?: unknown;
    worker?: string;
  }): Promise<void> {
    if (event.status === "running" && event.worker) {
      await this.#recordStepWorker(event.runId, event.worker).catch(() => undefined);
    }
    if (this.#active.has(event.runId)) return;
    const { db } = this.options;
    const run = await db.workflowRun.findUnique({ where: { id: event.runId } });
    if (!run) return;
    const at = new Date();
    if (event.status === "running") {
      if (run.status === "paused" || run.status === "waiting") {
        await this.dispatch(run.id, { type: "resume" });
      }
      await this.dispatch(run.id, {
        type: "claim",
        workerId: this.workerId,
        at,
        resumed: run.started_at !== null,
      }).catch(() => undefined);
      this.#driven.add(run.id);
      this.#startHeartbeat();
      return;
    }
    this.#driven.delete(run.id);
    if (event.result !== undefined) {
      await db.workflowRun.update({
        where: { id: run.id },
        data: { result: event.result as object },
      });
    }
    const action: RunAction | undefined =
      event.status === "completed"
        ? { type: "complete", at }
        : event.status === "failed"
          ? { type: "fail", at, message: event.error?.message ?? "The run failed" }
          : event.status === "cancelled"
            ? { type: "cancel", at }
            : event.status === "waiting"
              ? { type: "wait" }
              : event.status === "paused"
                ? { type: "pause", at }
                : undefined;
    if (action) await this.dispatch(run.id, action).catch(() => undefined);
    await db.workflowRun
      .update({ where: { id: run.id }, data: { worker_id: null, heartbeat_at: null } })
      .catch(() => undefined);
  }

  async #drain(): Promise<void> {
    if (!this.options.executorFactory) return;
    // Several drains can overlap (each enqueue starts one); a slot is reserved before the
    // first await so together they never exceed the limit of the entry's lane. The first
    // queued entry whose lane has a free slot goes next, so a full lane never holds up the
    // other.
    while (!this.#stopping) {
      const index = this.#queue.findIndex(
        (candidate) =>
          candidate.lane !== undefined &&
          this.#busyIn(candidate.lane) < this.#slotsOf(candidate.lane),
      );
      if (index < 0) break;
      const [entry] = this.#queue.splice(index, 1) as [QueueEntry & { lane: Lane }];
      this.#startingIn[entry.lane]++;
      await this.#launch(entry)
        .finally(() => this.#startingIn[entry.lane]--)
        .catch(async (error: unknown) => {
          await this.dispatch(entry.runId, {
            type: "fail",
            at: new Date(),
            message: error instanceof Error ? error.message : String(error),
          }).catch(() => undefined);
        });
    }
  }

  async #launch({ runId, mode }: QueueEntry): Promise<void> {
    if (this.#active.has(runId)) return;
    const { db, catalog } = this.options;
    const now = new Date();
    const expired = new Date(now.getTime() - this.#leaseMs);
    // Claim the lease atomically: only one process wins a pending or abandoned run. A
    // pending run another server has just claimed (its lease set, its status not yet
    // `running`) is taken, not free: two servers enqueueing one run must not both win.
    const claimed = await db.workflowRun.updateMany({
      where: {
        id: runId,
        OR: [
          { status: "pending", worker_id: null },
          // A run this process paused and a person resumed still carries this process's id.
          { status: "pending", worker_id: this.workerId },
          {
            status: { in: ["pending", "running"] },
            OR: [{ heartbeat_at: null }, { heartbeat_at: { lt: expired } }],
          },
        ],
      },
      data: { worker_id: this.workerId, heartbeat_at: now },
    });
    if (claimed.count === 0) return;
    const run = await db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    await this.dispatch(runId, {
      type: "claim",
      workerId: this.workerId,
      at: now,
      resumed: run.started_at !== null,
    });
    const executor = await this.#executorFor(run.project_id);
    if (!executor) return;
    let handle: RunHandle;
    const project = await db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    // Steps run in the run's worktree when it has one (a restart finds the same one).
    const workdir = run.workspace_path ?? undefined;
    if (this.#hooks && !(await this.#setUp(run, project.path))) return;
    if (mode === "resume" || runStoreFor(project.path).hasRun(runId)) {
      // Pinned when the run was created: run that version, even if the file changed since.
      handle = executor.resume(runId, workdir ? { workdir } : {});
    } else {
      const template = catalog.template(run.workflow_definition_id);
      handle = executor.start({
        runId,
        definition: template.definition,
        snapshot: template.snapshot,
        ...(template.bundle !== undefined && { bundle: template.bundle }),
        ...(workdir && { workdir }),
        args: run.args as Record<string, unknown>,
        ...(run.parent_run_id && { parentRunId: run.parent_run_id }),
      });
    }
    this.#active.set(runId, handle);
    this.#startHeartbeat();
    void handle.done
      .then(
        (outcome) => this.#finish(outcome),
        (error: unknown) =>
          this.#finish({
            runId,
            status: "failed",
            error: {
              name: "Error",
              message: error instanceof Error ? error.message : String(error),
            },
          }),
      )
      // The database is unreachable as the run ends: its row keeps the lease, which
      // expires, and the run is picked up again (from its checkpoint) by the next start.
      .catch(() => undefined);
  }

  /**
   * Runs the project's workspace setup (once per worktree, see WorkspaceHooks). False when
   * it was interrupted: the run is left paused, cancelled or — at shutdown — pending, and
   * set up again when it next starts. A failed setup throws, which fails the run.
   */
  async #setUp(run: Parameters<WorkspaceHooks["setup"]>[0], projectPath: string) {
    const abort = new AbortController();
    const settled = this.#setUpUntil(run, projectPath, abort);
    this.#setups.set(run.id, { abort, settled });
    try {
      return await settled;
    } finally {
      this.#setups.delete(run.id);
    }
  }

  async #setUpUntil(
    run: Parameters<WorkspaceHooks["setup"]>[0],
    projectPath: string,
    abort: AbortController,
  ): Promise<boolean> {
    const { db } = this.options;
    // `pnpm install` can outlast a lease: renew it meanwhile, like the executor would.
    const beat = setInterval(() => {
      void db.workflowRun
        .updateMany({
          where: { id: run.id, worker_id: this.workerId },
          data: { heartbeat_at: new Date() },
        })
        .catch(() => undefined);
    }, this.options.heartbeatIntervalMs ?? 5_000);
    beat.unref();
    try {
      await (this.#hooks as WorkspaceHooks).setup(run, projectPath, abort.signal);
      // Stopped just as it finished: it is done, but the run must not start now.
      if (abort.signal.aborted) throw new Error("interrupted after setup");
      return true;
    } catch (error) {
      if (!abort.signal.aborted) throw error;
      const now = await db.workflowRun.findUniqueOrThrow({ where: { id: run.id } });
      if (now.status === "running") await this.dispatch(run.id, { type: "park" });
      const updated = await db.workflowRun.update({
        where: { id: run.id },
        data: { worker_id: null, heartbeat_at: null },
      });
      // Resumed while setup was being stopped: start it again now that it has.
      if (this.#requeue.delete(run.id) && updated.status === "pending" && !this.#stopping) {
        this.#queue.push({
          runId: run.id,
          mode: "resume",
          lane: this.#lanes.get(run.id) ?? "user",
        });
      }
      return false;
    } finally {
      clearInterval(beat);
    }
  }

  async #finish(outcome: RunOutcome): Promise<void> {
    this.#active.delete(outcome.runId);
    const requeue = this.#requeue.delete(outcome.runId);
    if (!this.#stopping) {
      const run = await this.options.db.workflowRun.findUnique({ where: { id: outcome.runId } });
      if (run?.status === "running") {
        const at = new Date();
        const action: RunAction | undefined =
          outcome.status === "completed"
            ? { type: "complete", at }
            : outcome.status === "failed"
              ? { type: "fail", at, message: outcome.error?.message ?? "The run failed" }
              : outcome.status === "cancelled"
                ? { type: "cancel", at }
                : outcome.status === "waiting"
                  ? { type: "wait" }
                  : { type: "pause", at };
        if (outcome.result !== undefined) {
          await this.options.db.workflowRun.update({
            where: { id: outcome.runId },
            data: { result: outcome.result as object },
          });
        }
        await this.dispatch(outcome.runId, action).catch(() => undefined);
        if (outcome.status === "waiting" && outcome.wakeAt) {
          this.scheduleWake(outcome.runId, new Date(outcome.wakeAt));
        }
      } else if (run) {
        // Paused or cancelled by a person while it ran: just release the lease.
        await this.options.db.workflowRun.update({
          where: { id: outcome.runId },
          data: { worker_id: null, heartbeat_at: null },
        });
        if (requeue && run.status === "pending") {
          this.#queue.push({
            runId: outcome.runId,
            mode: "resume",
            lane: this.#lanes.get(outcome.runId) ?? "user",
          });
        }
      }
    }
    void this.#drain();
  }
}
