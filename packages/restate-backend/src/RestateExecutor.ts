import "./polyfillPromiseWithResolvers.js";
import {
  type ExtraStepHandle,
  FileRunStore,
  type RunHandle,
  RunNotFoundError,
  type RunObserver,
  type RunOutcome,
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
  /** How often a running run's board events are fetched (ms, default 250). */
  eventPollMs?: number;
}

/**
 * The server's executor on the `restate` backend: starting a run submits its pinned
 * snapshot as a `PhaseboardRun` invocation pinned to a worker; `done` attaches to it.
 * Signals and approvals go to the run's inbox; the run's steps, phases and state reach
 * the observer (the board) from its event feed while it runs. Cancel cancels the invocation through the
 * admin API (the engine inside it then runs `finally` steps). Pause and rewind are not
 * offered on this backend: they throw {@link RestateControlUnsupportedError}.
 */
export class RestateExecutor implements WorkflowExecutorApi {
  private runs: RestateRuns;
  private invocations = new Map<string, string>();

  constructor(readonly options: RestateExecutorOptions) {
    this.runs = new RestateRuns(options.ingress);
  }

  start(input: Omit<StartRunInput, "definition">): RunHandle {
    const { runId } = input;
    const done = (async (): Promise<RunOutcome> => {
      const invocation = await this.runs.submit({
        runId,
        projectPath: this.options.projectPath,
        ...(input.workdir !== undefined && { workdir: input.workdir }),
        workerId: this.options.worker,
        snapshot: input.snapshot,
        args: input.args,
        ...(input.bundle !== undefined && { bundle: input.bundle }),
      });
      this.invocations.set(runId, invocation);
      await this.options.observer?.onRunStatus?.({ runId, status: "running" });
      const relay = this.relay(runId);
      try {
        return await this.attach(runId);
      } finally {
        await relay.stop();
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
    return this.start({
      runId,
      snapshot,
      args: store.readArgs(runId),
      ...(bundle.expected && bundle.text !== undefined && { bundle: bundle.text }),
      ...(options.workdir !== undefined && { workdir: options.workdir }),
    });
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
   * Feeds the run's board events (steps, phases, state) to the observer while it runs,
   * in order; `stop` drains what is left once the run has ended.
   */
  private relay(runId: string): { stop(): Promise<void> } {
    const observer = this.options.observer;
    let position = 0;
    let stopped = false;
    const drain = async () => {
      const events = await this.runs.events(runId, position).catch(() => []);
      for (const event of events) {
        position += 1;
        const data = event.data as never;
        try {
          if (event.kind === "step_started") await observer?.onStepStarted?.(data);
          else if (event.kind === "step_completed")
            await observer?.onStepCompleted?.({
              ...(event.data as object),
              durationMs: 0,
            } as never);
          else if (event.kind === "phase_changed") await observer?.onPhaseChanged?.(data);
          else if (event.kind === "state") await observer?.onState?.(data);
        } catch {
          // The board missing one event must not stop the run's feed.
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

  private async attach(runId: string): Promise<RunOutcome> {
    try {
      return await this.runs.result(runId);
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
      pause: async () => {
        throw new RestateControlUnsupportedError(
          "pause is not available on the restate backend yet: cancel the run instead",
        );
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
