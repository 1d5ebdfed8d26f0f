import "./polyfillPromiseWithResolvers.js";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type ExecutorOptions,
  type ExtraStepHandle,
  FileRunStore,
  type RunHandle,
  RunNotFoundError,
  type RunObserver,
  type RunOutcome,
  runPaths,
  type StartRunInput,
  serializeError,
  type WorkflowExecutorApi,
} from "@phaseboard/workflow-engine";
import { RestateRuns } from "./RestateRuns.js";

/** A control the restate backend does not offer yet; the message says which. */
export class RestateControlUnsupportedError extends Error {
  readonly code = "RESTATE_CONTROL_UNSUPPORTED";
  override readonly name = "RestateControlUnsupportedError";
}

export interface RestateExecutorOptions {
  ingress: string;
  admin: string;
  /** The worker new runs are pinned to. */
  worker: string;
  projectPath: string;
  observer?: RunObserver | undefined;
  /** The run's variables for its steps (PHASEBOARD_PORT…): pinned in the run's input. */
  runEnvironment?: ExecutorOptions["runEnvironment"];
  /** How often a running run's board events are fetched (ms, default 250). */
  eventPollMs?: number;
}

/**
 * The server's executor on the `restate` backend: starting a run submits its pinned
 * snapshot as a `PhaseboardRun` invocation pinned to a worker; `done` attaches to it.
 * Signals and approvals go to the run's inbox; the run's steps, phases and state reach
 * the observer (the board) from its event feed while it runs, and so do its steps' live
 * progress lines, which the server also appends to each step's events.jsonl under the
 * project root. Cancel cancels the invocation through the admin API (the engine inside it
 * then runs `finally` steps). Pause goes to the run's worker queue (see `StepJobQueue`):
 * the run parks its invocation and `done` answers `paused`; resume releases it. Rewind is
 * not offered on this backend: it throws {@link RestateControlUnsupportedError}.
 */
export class RestateExecutor implements WorkflowExecutorApi {
  private runs: RestateRuns;
  private invocations = new Map<string, string>();
  /** Where this server's relay of each run's feed stands, so a resume does not repeat events. */
  private positions = new Map<string, { from: number; progressAfter: number }>();

  constructor(readonly options: RestateExecutorOptions) {
    this.runs = new RestateRuns(options.ingress);
  }

  start(input: Omit<StartRunInput, "definition">): RunHandle {
    return this.launch(input, false);
  }

  private launch(input: Omit<StartRunInput, "definition">, resuming: boolean): RunHandle {
    const { runId } = input;
    let onPaused: () => void = () => {};
    const paused = new Promise<RunOutcome>((resolve) => {
      onPaused = () => resolve({ runId, status: "paused" });
    });
    const done = (async (): Promise<RunOutcome> => {
      // A paused run's invocation is parked, not ended: resuming releases it (a no-op for
      // a run that was not parked, e.g. one picked up after a server restart).
      if (resuming) await this.runs.resume(this.options.worker, runId);
      const env = await this.options.runEnvironment?.(runId);
      const invocation = await this.runs.submit({
        runId,
        projectPath: this.options.projectPath,
        ...(input.workdir !== undefined && { workdir: input.workdir }),
        workerId: this.options.worker,
        snapshot: input.snapshot,
        args: input.args,
        ...(input.bundle !== undefined && { bundle: input.bundle }),
        ...(env && Object.keys(env).length > 0 && { env: { ...env } }),
      });
      this.invocations.set(runId, invocation);
      await this.options.observer?.onRunStatus?.({
        runId,
        status: "running",
        worker: this.options.worker,
      });
      const attached = new AbortController();
      const relay = this.relay(runId, onPaused);
      let outcome: RunOutcome | undefined;
      try {
        outcome = await Promise.race([this.attach(runId, attached.signal), paused]);
        return outcome;
      } finally {
        attached.abort(new Error("the run paused"));
        await relay.stop();
        // A paused run's relay goes on from here when it is resumed; an ended one's is done.
        if (outcome && outcome.status !== "paused") this.positions.delete(runId);
      }
    })();
    return this.handle(runId, done);
  }

  /**
   * Submits the run from what the server pinned in its folder (definition.json, args,
   * bundle) and attaches. Submitting a run id the cluster already has starts nothing new,
   * so this is also how a restarted server picks up the runs in flight.
   */
  resume(runId: string, options: { workdir?: string } = {}): RunHandle {
    const store = new FileRunStore(this.options.projectPath);
    if (!store.hasRun(runId)) {
      const refused = Promise.reject(new RunNotFoundError(`run ${runId} has no pinned snapshot`));
      refused.catch(() => {});
      return this.handle(runId, refused);
    }
    const { parentRunId: _parent, ...snapshot } = store.readSnapshot(runId);
    const bundle = store.readBundle(runId);
    return this.launch(
      {
        runId,
        snapshot,
        args: store.readArgs(runId),
        ...(bundle.expected && bundle.text !== undefined && { bundle: bundle.text }),
        ...(options.workdir !== undefined && { workdir: options.workdir }),
      },
      true,
    );
  }

  async rewind(): Promise<void> {
    throw new RestateControlUnsupportedError("rewind is not available on the restate backend yet");
  }

  async signal(runId: string, name: string, payload?: unknown): Promise<string> {
    await this.runs.signal(runId, name, payload);
    return runId;
  }

  async approve(
    runId: string,
    approvalId: string,
    decision: { approved: boolean; by?: string; comment?: string },
  ): Promise<void> {
    await this.runs.approve(runId, approvalId, decision);
  }

  runExtraStep<T>(runId: string, input: { key: string }): ExtraStepHandle<T> {
    const refused = Promise.reject(
      new RestateControlUnsupportedError(
        "steps outside a template are not available on the restate backend yet",
      ),
    );
    refused.catch(() => {});
    return { runId, stepKey: input.key, started: refused, done: refused };
  }

  /**
   * Feeds the run's board events (steps, phases, state) and its steps' progress lines to
   * the observer while it runs, in order; `stop` drains what is left once the run has
   * ended. A `paused` entry the run has not been resumed from calls `onPaused`.
   */
  private relay(runId: string, onPaused: () => void): { stop(): Promise<void> } {
    const observer = this.options.observer;
    const paths = runPaths(this.options.projectPath, runId);
    const position = this.positions.get(runId) ?? { from: 0, progressAfter: 0 };
    this.positions.set(runId, position);
    let stopped = false;
    const drain = async () => {
      const read = await this.runs
        .feed(runId, position.from, position.progressAfter)
        .catch(() => ({ events: [], progress: [] }));
      for (const event of read.events) {
        position.from += 1;
        const data = event.data as never;
        try {
          if (event.kind === "step_started") {
            // The step's log lives on this server: the worker's lines are appended here.
            const dir = paths.stepLogDir(String(event.data.stepKey));
            await observer?.onStepStarted?.({
              ...(event.data as object),
              logDir: paths.relative(dir),
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
            if (parking.resumed < event.data.pause) onPaused();
          }
        } catch {
          // The board missing one event must not stop the run's feed.
        }
      }
      for (const entry of read.progress) {
        position.progressAfter = entry.seq;
        try {
          const dir = paths.stepLogDir(entry.stepKey);
          mkdirSync(dir, { recursive: true });
          appendFileSync(join(dir, "events.jsonl"), `${JSON.stringify(entry.event)}\n`);
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

  private async attach(runId: string, signal: AbortSignal): Promise<RunOutcome> {
    try {
      return await this.runs.result(runId, signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/cancel/i.test(message)) return { runId, status: "cancelled" };
      return { runId, status: "failed", error: serializeError(error) };
    }
  }

  private handle(runId: string, done: Promise<RunOutcome>): RunHandle {
    return {
      runId,
      done,
      // Reaches the run through its worker's queue: a queued job is answered "paused",
      // a running one (now) has its process group stopped by the worker, or else the run's
      // next job is. The run then parks and `done` answers `paused`.
      pause: async (options = {}) => {
        await this.runs.pause(this.options.worker, {
          runId,
          now: options.now === true,
          hold: true,
        });
      },
      cancel: async () => {
        const invocation = this.invocations.get(runId);
        if (!invocation) {
          throw new RestateControlUnsupportedError(
            `run ${runId} was started by another server; cancel it there or with the restate CLI`,
          );
        }
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
