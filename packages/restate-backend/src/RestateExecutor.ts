import "./polyfillPromiseWithResolvers.js";
import {
  type Checkpoint,
  type ExecutorOptions,
  type ExtraStepHandle,
  type ExtraStepInput,
  FileRunStore,
  RunActiveError,
  type RunHandle,
  type RunHost,
  RunNotFoundError,
  type RunObserver,
  type RunOutcome,
  rewindCheckpoint,
  type StartRunInput,
  serializeError,
  UnknownPhaseError,
  WorkflowExecutor,
  type WorkflowExecutorApi,
} from "@phaseboard/workflow-engine";
import type { HostCallAnswers, HostCallInputs } from "./JournalRunHost.js";
import {
  FileRestateRunRecords,
  type PinnedRestateRun,
  pinnedInFolder,
  type RestateRunRecords,
} from "./RestateRunRecords.js";
import { RestateRuns } from "./RestateRuns.js";
import type { HostMethod, RunEvent } from "./RunEvents.js";
import { findInvocation } from "./restateAdmin.js";
import { generationKey } from "./runGenerations.js";
import { WorkerStepJobs } from "./WorkerStepJobs.js";

export interface RestateExecutorOptions {
  ingress: string;
  admin: string;
  /** The worker new runs are pinned to. */
  worker: string;
  projectPath: string;
  observer?: RunObserver | undefined;
  /** How often a running run's board events are fetched (ms, default 250). */
  eventPollMs?: number;
  /**
   * The server's host: the records of child runs and successors (their cards) and the
   * templates `ctx.run` names. A run on the cluster asks for them through its event feed
   * (see JournalRunHost); without a host those calls fail the run.
   */
  host?: RunHost | undefined;
  /** The run's variables for its steps (PHASEBOARD_PORT…): pinned in the run's input. */
  runEnvironment?: ExecutorOptions["runEnvironment"];
  /**
   * Where the server keeps its runs' progress lines, kept checkpoints and generations.
   * The board's server gives its database, so any of its servers can serve the run;
   * the default is the run folder under `projectPath`, for a server alone.
   */
  records?: RestateRunRecords | undefined;
}

/** One generation of a run as `submit` starts it. */
interface GenerationToSubmit {
  key: string;
  checkpoint?: Checkpoint | undefined;
  feedContinues?: boolean;
  /** A paused run's invocation is parked, not ended: resuming releases it. */
  resuming?: boolean;
}

/** What `submit` starts: the run, which generation of it, and on which worker. */
interface SubmissionInput {
  input: Omit<StartRunInput, "definition">;
  generation: GenerationToSubmit;
  worker: string;
}

/**
 * The server's executor on the `restate` backend: starting a run submits its pinned
 * snapshot as a `PhaseboardRun` invocation pinned to a worker; `done` attaches to it.
 * Signals and approvals go to the run's inbox; the run's steps, phases and state reach
 * the observer (the board) from its event feed while it runs, and so do its steps' live
 * progress lines, which the server also appends to each step's events.jsonl under the
 * project root. Cancel cancels the invocation through the admin API (the engine inside it
 * then runs `finally` steps). Pause goes to the run's worker queue (see `StepJobQueue`):
 * the run parks its invocation and `done` answers `paused`; resume releases it. Child runs
 * and successors are asked of the server's host through the run's feed and relayed to the
 * board too. Rewind starts a new generation of the run.
 */
export class RestateExecutor implements WorkflowExecutorApi {
  private runs: RestateRuns;
  private invocations = new Map<string, string>();
  /** Runs this server is attached to while they execute. */
  private executing = new Set<string>();
  /** Child runs and successors this server relays (or relayed) to the board. */
  private followed = new Set<string>();
  /** A run that continued as new → its successor, so signals follow the chain. */
  private successors = new Map<string, string>();
  /**
   * Where this server's relay of each run's feed stands, so a resume does not repeat events.
   * `progressAfter` is undefined until read from the records (the lines kept, by any server).
   */
  private positions = new Map<string, { from: number; progressAfter: number | undefined }>();
  private records: RestateRunRecords;

  constructor(readonly options: RestateExecutorOptions) {
    this.runs = new RestateRuns(options.ingress);
    this.records = options.records ?? new FileRestateRunRecords(options.projectPath);
  }

  start(input: Omit<StartRunInput, "definition">): RunHandle {
    const pending = (async () => {
      // Kept so that a server without this run's folder can submit it again (rewind, resume).
      await this.records
        .pin(input.runId, {
          snapshot: input.snapshot,
          args: input.args,
          ...(input.bundle !== undefined && { bundle: input.bundle }),
          worker: this.options.worker,
        })
        .catch(() => {});
      return { input, generation: { key: input.runId }, worker: this.options.worker };
    })();
    return this.submit(input.runId, pending);
  }

  /**
   * Submits one generation of the run (`key`, see runGenerations) and attaches to it.
   * A new generation's feed continues the run's: the board hears only what it adds.
   */
  private submit(runId: string, pending: SubmissionInput | Promise<SubmissionInput>): RunHandle {
    let onPaused: () => void = () => {};
    const paused = new Promise<RunOutcome>((resolve) => {
      onPaused = () => resolve({ runId, status: "paused" });
    });
    const done = (async (): Promise<RunOutcome> => {
      const { input, generation, worker } = await pending;
      // A no-op for a run that was not parked, e.g. one picked up after a server restart.
      if (generation.resuming) await this.runs.resume(runId);
      const from = generation.feedContinues ? (await this.runs.events(runId, 0)).length : 0;
      const env = await this.options.runEnvironment?.(runId);
      const invocation = await this.runs.submit(
        {
          runId,
          projectPath: this.options.projectPath,
          ...(input.workdir !== undefined && { workdir: input.workdir }),
          workerId: worker,
          snapshot: input.snapshot,
          args: input.args,
          ...(input.bundle !== undefined && { bundle: input.bundle }),
          ...(input.parentRunId !== undefined && { parentRunId: input.parentRunId }),
          ...(generation.checkpoint !== undefined && { checkpoint: generation.checkpoint }),
          ...(env && Object.keys(env).length > 0 && { env: { ...env } }),
        },
        generation.key,
      );
      this.invocations.set(runId, invocation);
      await this.options.observer?.onRunStatus?.({
        runId,
        status: "running",
        worker,
      });
      const attached = new AbortController();
      const relay = this.relay(runId, { from, onPaused });
      this.executing.add(runId);
      let outcome: RunOutcome | undefined;
      try {
        outcome = await Promise.race([
          this.attach(runId, () => this.runs.result(generation.key, attached.signal)),
          paused,
        ]);
        return outcome;
      } finally {
        attached.abort(new Error("the run paused"));
        this.executing.delete(runId);
        await relay.stop();
        // A paused run's relay goes on from here when it is resumed; an ended one's is done.
        if (outcome && outcome.status !== "paused") {
          this.positions.delete(runId);
          await this.keepCheckpoint(runId, generation.key);
        }
      }
    })();
    return this.handle(runId, done);
  }

  /**
   * Submits the run from what the server pinned in its folder (definition.json, args,
   * bundle) and attaches. Submitting a run id the cluster already has starts nothing new,
   * so this is also how a restarted server picks up the runs in flight. A rewound run
   * resumes as its newest generation, from the checkpoint the rewind left.
   */
  resume(runId: string, options: { workdir?: string } = {}): RunHandle {
    const pending = (async () => {
      // Submitted to the run's own worker, where its worktree is, not this server's default.
      const { worker, ...pinned } = await this.pinned(runId);
      const number = await this.records.generation(runId);
      const generation: GenerationToSubmit = {
        key: generationKey(runId, number),
        ...(number > 1 && {
          checkpoint: await this.records.checkpoint(runId),
          feedContinues: true,
        }),
        resuming: true,
      };
      const input: Omit<StartRunInput, "definition"> = {
        runId,
        snapshot: pinned.snapshot,
        args: pinned.args,
        ...(pinned.bundle !== undefined && { bundle: pinned.bundle }),
        ...(options.workdir !== undefined && { workdir: options.workdir }),
      };
      return { input, generation, worker };
    })();
    // Refused before anything is submitted when the run has no pinned snapshot anywhere.
    pending.catch(() => {});
    return this.submit(runId, pending);
  }

  /**
   * The run as pinned, with the worker it is pinned to: from the records when a server
   * pinned it already, else from this server's run folder — kept in the records then, with
   * this server's worker, so every server later submits it the same way to the same worker.
   */
  private async pinned(runId: string): Promise<PinnedRestateRun & { worker: string }> {
    const kept = await this.records.pinned(runId);
    if (kept) return { ...kept, worker: kept.worker ?? this.options.worker };
    const inFolder = pinnedInFolder(new FileRunStore(this.options.projectPath), runId);
    if (!inFolder) throw new RunNotFoundError(`run ${runId} has no pinned snapshot`);
    const pinned = { ...inFolder, worker: this.options.worker };
    await this.records.pin(runId, pinned);
    return pinned;
  }

  /**
   * Rewind on Restate: a run's invocation cannot be cut back, so the run goes on as a new
   * generation (a new invocation key) that starts from a checkpoint holding the results of
   * the phases before `phase`. The ended generation's checkpoint is read from the cluster
   * (or, once Restate dropped it, from the records) and cut by the engine's own rule (the
   * same as on the local backend); the next `resume` submits the new generation with it.
   */
  async rewind(runId: string, phase: string): Promise<void> {
    const phases = (await this.pinned(runId)).snapshot.phases ?? [];
    const generation = await this.records.generation(runId);
    // Null while the generation still runs or once Restate dropped it (after a day): the
    // records then hold the newest checkpoint a server kept.
    const ended = await this.runs.checkpoint(generationKey(runId, generation)).catch(() => null);
    const checkpoint = ended ?? (await this.records.checkpoint(runId));
    if (!phases.includes(phase)) {
      throw new UnknownPhaseError(`cannot rewind to "${phase}": phases are ${phases.join(", ")}`);
    }
    const cut = checkpoint && rewindCheckpoint(checkpoint, phases, phase);
    await this.records.startGeneration(runId, generation + 1, cut);
  }

  async signal(runId: string, name: string, payload?: unknown): Promise<string> {
    // A run that continued as new passes signals on to its newest successor.
    let target = runId;
    const seen = new Set([runId]);
    for (let next = this.successors.get(target); next !== undefined && !seen.has(next); ) {
      target = next;
      seen.add(next);
      next = this.successors.get(target);
    }
    await this.runs.signal(target, name, payload);
    return target;
  }

  async approve(
    runId: string,
    approvalId: string,
    decision: { approved: boolean; by?: string; comment?: string },
  ): Promise<void> {
    await this.runs.approve(runId, approvalId, decision);
  }

  /**
   * A step the run's template does not have (a review follow-up), run as on the local
   * backend (the run's lease in its folder, its log, the board's events, retries) except
   * that a script or agent attempt is a job for the run's worker, where its worktree is
   * (see WorkerStepJobs). Refused while the run executes.
   */
  runExtraStep<T>(runId: string, input: ExtraStepInput<T>): ExtraStepHandle<T> {
    if (this.executing.has(runId)) {
      const refused = Promise.reject(
        new RunActiveError(
          `run ${runId} is executing; a step outside its template waits until it stops`,
        ),
      );
      refused.catch(() => {});
      return { runId, stepKey: input.key, started: refused, done: refused };
    }
    const { ingress, admin, worker, projectPath, observer, host } = this.options;
    return new WorkflowExecutor({
      projectPath,
      workerId: worker,
      store: new FileRunStore(projectPath),
      ...(observer && { observer }),
      ...(host && { host }),
      journal: new WorkerStepJobs({ ingress, admin, worker }),
    }).runExtraStep<T>(runId, input);
  }

  /**
   * Feeds the run's board events (steps, phases, state) and its steps' progress lines to
   * the observer while it runs, in order, and answers its host calls; `stop` drains what is
   * left once the run has ended. A `paused` entry the run has not been resumed from calls
   * `onPaused`.
   */
  private relay(
    runId: string,
    options: { from?: number; onPaused?: () => void } = {},
  ): { stop(): Promise<void> } {
    const observer = this.options.observer;
    const position = this.positions.get(runId) ?? {
      from: options.from ?? 0,
      progressAfter: undefined,
    };
    this.positions.set(runId, position);
    let stopped = false;
    const drain = async () => {
      // Lines a server kept already (this one before a restart, or another) are not kept twice.
      position.progressAfter ??= await this.records.progressKept(runId).catch(() => undefined);
      const read = await this.runs
        .feed(runId, position.from, position.progressAfter ?? 0)
        .catch(() => ({ events: [] as RunEvent[], progress: [] }));
      for (const [index, event] of read.events.entries()) {
        position.from += 1;
        if (event.kind === "host_call") {
          await this.answerHostCall(event.data, read.events.slice(index + 1));
          continue;
        }
        if (event.kind === "host_answered") {
          // A feed read again (this server restarted): the runs the host made still need
          // relaying to their cards.
          if (event.data.runId !== undefined) this.follow(event.data.runId);
          continue;
        }
        const data = event.data as never;
        try {
          if (event.kind === "step_started") {
            // The worker's lines are kept by the records (see `keepProgress` below), not in
            // the folder the invocation's engine names.
            const { logDir: _invocations, ...started } = event.data;
            const logDir = this.records.stepLogDir(runId, String(event.data.stepKey));
            await observer?.onStepStarted?.({
              ...started,
              ...(logDir !== undefined && { logDir }),
            } as never);
          } else if (event.kind === "step_completed")
            await observer?.onStepCompleted?.({
              ...(event.data as object),
              durationMs: 0,
            } as never);
          else if (event.kind === "phase_changed") await observer?.onPhaseChanged?.(data);
          else if (event.kind === "state") await observer?.onState?.(data);
          else if (event.kind === "paused") {
            const parking = await this.runs.parking(runId);
            if (parking.resumed < event.data.pause) options.onPaused?.();
          }
        } catch {
          // The board missing one event must not stop the run's feed.
        }
      }
      if (read.progress.length > 0) {
        // Kept before the board hears them, so a board that reads the log on an event has them.
        await this.records.keepProgress(runId, read.progress).catch(() => {});
        position.progressAfter = read.progress[read.progress.length - 1]?.seq;
      }
      for (const entry of read.progress) {
        try {
          observer?.onStepProgress?.({ runId, stepKey: entry.stepKey, event: entry.event });
        } catch {
          // A line the board misses must not stop the run's feed.
        }
      }
    };
    const loop = (async () => {
      while (!stopped) {
        await drain();
        await new Promise((resolve) => setTimeout(resolve, this.options.eventPollMs ?? 250));
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
        await drain();
      },
    };
  }

  /**
   * Answers a run's host call (see JournalRunHost) unless a later `host_answered` says it
   * was answered already (this feed read again after a restart). A child's or successor's
   * card gets the same relay as the run, for as long as it runs.
   */
  private async answerHostCall(
    call: { id: string; method: HostMethod; input: unknown },
    after: RunEvent[],
  ): Promise<void> {
    if (after.some((event) => event.kind === "host_answered" && event.data.id === call.id)) return;
    const host = this.options.host;
    let value: HostCallAnswers[HostMethod];
    try {
      if (!host) throw new Error(`this server has no host to answer ${call.method}`);
      if (call.method === "loadTemplate") {
        const input = call.input as HostCallInputs["loadTemplate"];
        const { definition: _definition, ...wire } = await host.loadTemplate(input.reference);
        value = wire;
      } else if (call.method === "createChildRun") {
        const { template, ...input } = call.input as HostCallInputs["createChildRun"];
        const created = await host.createChildRun({
          ...input,
          template: await host.loadTemplate(template),
        });
        this.follow(created.runId);
        value = { ...created, ...this.pinnedArgsOf(created.runId) };
      } else if (call.method !== "createContinuationRun") {
        value = await this.answerStepHostCall(host, call.method, call.input);
      } else {
        const input = call.input as HostCallInputs["createContinuationRun"];
        if (!host.createContinuationRun) {
          throw new Error("this server's host cannot create a run's successor");
        }
        const created = await host.createContinuationRun(input);
        this.successors.set(input.previousRunId, created.runId);
        this.follow(created.runId);
        value = { ...created, ...this.pinnedArgsOf(created.runId) };
      }
    } catch (error) {
      // Journaled as the call's failure: the run's ctx call throws it.
      await this.runs.answer(call.id, { error: serializeError(error).message }).catch(() => {});
      return;
    }
    await this.runs.answer(call.id, { value }).catch(() => {});
  }

  /**
   * A step whose body is one host call (`ctx.sendSignal`, the workspace steps): the host's
   * answer, or its error, is the step attempt's outcome in the run's journal.
   */
  private async answerStepHostCall(
    host: RunHost,
    method: Exclude<HostMethod, "loadTemplate" | "createChildRun" | "createContinuationRun">,
    input: unknown,
  ): Promise<HostCallAnswers[HostMethod]> {
    const missing = (what: string) => new Error(`this server's host cannot ${what}`);
    switch (method) {
      case "signalRuns": {
        if (!host.signalRuns) throw missing("signal runs");
        return await host.signalRuns(input as HostCallInputs["signalRuns"]);
      }
      case "diffOfRun": {
        if (!host.diffOfRun) throw missing("diff a run's worktree");
        return await host.diffOfRun((input as HostCallInputs["diffOfRun"]).runId);
      }
      case "mergeRun": {
        if (!host.mergeRun) throw missing("merge a run's branch");
        const { runId, ...options } = input as HostCallInputs["mergeRun"];
        return await host.mergeRun(runId, options);
      }
      case "openPullRequest": {
        if (!host.openPullRequest) throw missing("open pull requests");
        return await host.openPullRequest(input as HostCallInputs["openPullRequest"]);
      }
      case "removeRunWorktree": {
        if (!host.removeRunWorktree) throw missing("remove a run's worktree");
        await host.removeRunWorktree((input as HostCallInputs["removeRunWorktree"]).runId);
        return null;
      }
      default: {
        const never: never = method;
        throw new Error(`unknown host call ${String(never)}`);
      }
    }
  }

  /**
   * Keeps an ended generation's checkpoint in the records (best effort): Restate keeps
   * finished workflows for a day, the records for as long as the run exists, so a later
   * rewind still has the results to keep.
   */
  private async keepCheckpoint(runId: string, key: string): Promise<void> {
    try {
      const checkpoint = await this.runs.checkpoint(key);
      if (checkpoint) await this.records.keepCheckpoint(runId, checkpoint);
    } catch {
      // The cluster still has it for a day; rewind reads it from there first.
    }
  }

  /** The arguments the host pinned for a run it just created (validated, with defaults). */
  private pinnedArgsOf(runId: string): { args?: Record<string, unknown> } {
    const store = new FileRunStore(this.options.projectPath);
    return store.hasRun(runId) ? { args: store.readArgs(runId) } : {};
  }

  /**
   * Relays a run this server did not submit — a child its parent's invocation starts, a
   * successor — to the board until it ends, and tells the observer how it ended, as the
   * local backend's executor does for the runs it drives for a parent.
   */
  private follow(runId: string): void {
    if (this.followed.has(runId)) return;
    this.followed.add(runId);
    const observer = this.options.observer;
    void (async () => {
      await observer?.onRunStatus?.({ runId, status: "running" });
      const relay = this.relay(runId);
      let outcome: RunOutcome;
      try {
        outcome = await this.attach(runId, () => this.runs.resultOnceStarted(runId));
      } finally {
        await relay.stop();
        this.positions.delete(runId);
        await this.keepCheckpoint(runId, runId);
      }
      await observer?.onRunStatus?.({
        runId,
        status: outcome.status,
        ...(outcome.error && { error: outcome.error }),
        ...(outcome.result !== undefined && { result: outcome.result }),
      });
    })().catch(() => {});
  }

  private async attach(runId: string, result: () => Promise<RunOutcome>): Promise<RunOutcome> {
    try {
      return await result();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/cancel/i.test(message)) return { runId, status: "cancelled" };
      return { runId, status: "failed", error: serializeError(error) };
    }
  }

  private handle(runId: string, done: Promise<RunOutcome>): RunHandle {
    return { runId, done, ...this.control(runId) };
  }

  /**
   * Pause and cancel for any run on the cluster, whichever server submitted it: neither
   * needs this server to be attached to the run.
   */
  control(runId: string): Pick<RunHandle, "pause" | "cancel"> {
    return {
      // Reaches the run's invocation (a sleep or a wait parks at once, a function step
      // finishes first unless now) and the queue of the worker the run is pinned to — the
      // one its invocation records, whatever this server's default is: a queued job is
      // answered "paused", a running one (now) has its process group stopped by the worker.
      // The run then parks and `done` answers `paused`.
      pause: async (options = {}) => {
        await this.runs.pause(runId, { now: options.now === true, worker: this.options.worker });
      },
      cancel: async () => {
        // A run another server submitted: its invocation is found by its generation's key.
        const invocation =
          this.invocations.get(runId) ??
          (await findInvocation(
            this.options.admin,
            "PhaseboardRun",
            generationKey(runId, await this.records.generation(runId)),
          ));
        // Never submitted, or ended and dropped by the cluster: nothing runs to cancel.
        if (!invocation) return;
        const response = await fetch(
          new URL(`/invocations/${encodeURIComponent(invocation)}/cancel`, this.options.admin),
          { method: "PATCH" },
        );
        if (!response.ok && response.status !== 404) {
          throw new Error(`Restate refused to cancel run ${runId}: ${response.status}`);
        }
      },
    };
  }
}
