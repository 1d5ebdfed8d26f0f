import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import { rewindCheckpoint } from "../checkpoint/rewindCheckpoint.js";
import { DefinitionRequiredError } from "../errors/DefinitionRequiredError.js";
import { RunActiveError } from "../errors/RunActiveError.js";
import { RunEndedError } from "../errors/RunEndedError.js";
import { RunNotFoundError } from "../errors/RunNotFoundError.js";
import { UnknownPhaseError } from "../errors/UnknownPhaseError.js";
import { FileRunStore } from "../store/FileRunStore.js";
import type { RunStore } from "../store/RunStore.js";
import { loadDefinitionFromSnapshot } from "../templates/loadDefinitionFromSnapshot.js";
import type { WorkflowDefinition } from "../types/definition.js";
import type {
  ExecutorOptions,
  ExtraStepHandle,
  ExtraStepInput,
  RunHandle,
  StartRunInput,
  WorkflowExecutorApi,
} from "../types/executor.js";
import { RunExecution, type RunOwner } from "./RunExecution.js";
import { runExtraStep } from "./runExtraStep.js";

/**
 * Executes runs durably in its {@link RunStore} (by default seed 004's folders under
 * `{projectPath}/.agent/workflows/executions/{runId}`).
 * One instance per process (or per worker); it holds the runs it executes and knows
 * their definitions, so child runs and continuations run here too.
 *
 * @example
 * const executor = new WorkflowExecutor({ projectPath, workerId: "w1", observer });
 * const handle = executor.start({ runId, definition, snapshot, args });
 * const outcome = await handle.done; // completed | failed | cancelled | paused | waiting
 * if (outcome.status === "paused") await executor.resume(runId).done;
 */
export class WorkflowExecutor implements WorkflowExecutorApi {
  private active = new Map<string, RunExecution>();
  private known = new Map<
    string,
    { definition: WorkflowDefinition; workdir: string; args: Record<string, unknown> }
  >();
  private owner: RunOwner;
  /** Where runs are kept: `options.store`, or seed 004's folders under the project. */
  readonly store: RunStore;

  constructor(readonly options: ExecutorOptions) {
    this.store = options.store ?? new FileRunStore(options.projectPath);
    this.owner = {
      options,
      store: this.store,
      startOrResumeChild: (runId, definition, input) => {
        const journal = options.journal;
        if (journal?.child) {
          // The durable engine runs the child as a run of its own; Restate carries cancel
          // down to it, and a child never pauses on its own there.
          return {
            runId,
            done: journal.child({
              runId,
              parentRunId: input.parentRunId,
              snapshot: input.snapshot as StartRunInput["snapshot"],
              ...(input.bundle !== undefined && { bundle: input.bundle }),
              args: input.args,
              workdir: input.workdir,
            }),
            pause: async () => {},
            cancel: async () => {},
          };
        }
        if (this.store.hasRun(runId))
          return this.resume(runId, { definition, workdir: input.workdir });
        return this.start({
          runId,
          definition,
          snapshot: input.snapshot as StartRunInput["snapshot"],
          ...(input.bundle !== undefined && { bundle: input.bundle }),
          args: input.args,
          workdir: input.workdir,
          parentRunId: input.parentRunId,
        });
      },
      startContinuation: (runId, args, from) => {
        const { parentRunId: _parent, ...snapshot } = this.store.readSnapshot(from.runId);
        const bundle = this.store.readBundle(from.runId);
        if (options.journal?.continueAsNew) {
          options.journal.continueAsNew({
            runId,
            snapshot,
            ...(bundle.expected && bundle.text !== undefined && { bundle: bundle.text }),
            args,
            workdir: from.workdir,
          });
          return;
        }
        const handle = this.start({
          runId,
          definition: from.definition,
          snapshot,
          ...(bundle.expected && bundle.text !== undefined && { bundle: bundle.text }),
          args,
          workdir: from.workdir,
        });
        handle.done.catch(() => {});
      },
    };
  }

  start(input: StartRunInput): RunHandle {
    const workdir = input.workdir ?? this.options.projectPath;
    return this.launch(input.runId, input.definition, workdir, input.args, async () => {
      // Pinned once: a resume never rewrites what the run started with.
      this.store.pinRun(input.runId, {
        snapshot: input.snapshot,
        args: input.args,
        ...(input.bundle !== undefined && { bundle: input.bundle }),
        ...(input.parentRunId !== undefined && { parentRunId: input.parentRunId }),
      });
      return input.definition;
    });
  }

  resume(
    runId: string,
    options: { definition?: WorkflowDefinition; workdir?: string } = {},
  ): RunHandle {
    const known = this.known.get(runId);
    const definition = options.definition ?? known?.definition;
    const workdir = options.workdir ?? known?.workdir ?? this.options.projectPath;
    return this.launch(runId, definition, workdir, undefined, async () => {
      if (!this.store.hasRun(runId)) {
        throw new RunNotFoundError(`no execution directory for run ${runId}`);
      }
      this.store.prepareRun(runId);
      if (definition) return definition;
      // Another process started it (or this one restarted): run what the run pinned.
      const snapshot = this.store.readSnapshot(runId);
      const bundle = this.store.readBundle(runId);
      if (bundle.expected && bundle.text === undefined) {
        throw new DefinitionRequiredError(
          `resume of run ${runId} needs its definition: its pinned bundle is missing`,
        );
      }
      return loadDefinitionFromSnapshot(
        snapshot,
        bundle.expected ? bundle.text : undefined,
        `definition.json of run ${runId}`,
      );
    });
  }

  async rewind(runId: string, phase: string): Promise<void> {
    if (this.active.has(runId))
      throw new RunActiveError(`run ${runId} is executing; pause it before rewinding`);
    if (!this.store.hasRun(runId))
      throw new RunNotFoundError(`no execution directory for run ${runId}`);
    const phases = this.store.readSnapshot(runId).phases ?? [];
    if (!phases.includes(phase)) {
      throw new UnknownPhaseError(`cannot rewind to "${phase}": phases are ${phases.join(", ")}`);
    }
    // The lock keeps another process from executing the run while its history is cut.
    const lease = this.store.acquireLease(runId, this.options.workerId, this.options.staleAfterMs);
    try {
      const checkpoint = this.store.loadCheckpoint(runId)?.checkpoint;
      if (!checkpoint) return;
      rewindCheckpoint(checkpoint, phases, phase);
      await this.store.writeCheckpoint(runId, checkpoint);
    } finally {
      lease.release();
    }
  }

  async signal(runId: string, name: string, payload?: unknown): Promise<string> {
    if (!this.store.hasRun(runId))
      throw new RunNotFoundError(`no execution directory for run ${runId}`);
    // Synchronous from here to the write: a run finishing with continueAsNew moves its
    // untaken signals on only after its successor is known here, so each signal lands
    // either before that move (and is moved) or in the successor's folder.
    let target = runId;
    const seen = new Set([runId]);
    let where = this.successorOf(target);
    while (where.next !== undefined && !seen.has(where.next)) {
      target = where.next;
      seen.add(target);
      where = this.successorOf(target);
    }
    if (where.ended) {
      throw new RunEndedError(
        `run ${target} has ${where.ended}; it takes no more signals (rewind it to run it again)`,
      );
    }
    this.store.recordSignal(target, name, payload);
    return target;
  }

  /** Where a run's signals go now: its successor when it continued as new, else itself. */
  private successorOf(runId: string): { next?: string; ended?: "completed" | "cancelled" } {
    const active = this.active.get(runId);
    if (active) return active.continuation === undefined ? {} : { next: active.continuation };
    let checkpoint: Checkpoint | undefined;
    try {
      checkpoint = this.store.loadCheckpoint(runId)?.checkpoint;
    } catch {
      // An unreadable checkpoint is the run's problem when it resumes, not the sender's.
      return {};
    }
    if (checkpoint?.continued_as) return { next: checkpoint.continued_as };
    if (checkpoint?.status === "completed" || checkpoint?.status === "cancelled") {
      return { ended: checkpoint.status };
    }
    return {};
  }

  async approve(
    runId: string,
    approvalId: string,
    decision: { approved: boolean; by?: string; comment?: string },
  ): Promise<void> {
    if (!this.store.hasRun(runId))
      throw new RunNotFoundError(`no execution directory for run ${runId}`);
    this.store.writeApproval(runId, approvalId, decision);
  }

  runExtraStep<T>(runId: string, input: ExtraStepInput<T>): ExtraStepHandle<T> {
    if (this.active.has(runId)) {
      const refused = Promise.reject(
        new RunActiveError(
          `run ${runId} is executing; a step outside its template waits until it stops`,
        ),
      );
      refused.catch(() => {});
      return { runId, stepKey: input.key, started: refused, done: refused };
    }
    return runExtraStep(this.store, this.options, runId, input);
  }

  /** Test seam: the in-process run behaves as if its process died (nothing more is written). */
  _crash(runId: string): void {
    this.active.get(runId)?.crash();
  }

  private launch(
    runId: string,
    definition: WorkflowDefinition | undefined,
    workdir: string,
    args: Record<string, unknown> | undefined,
    prepare: () => Promise<WorkflowDefinition>,
  ): RunHandle {
    let execution: RunExecution | undefined;
    // Control calls made before the run is set up apply as soon as it is.
    let pending: { pause?: boolean; now?: boolean; cancel?: boolean } = {};
    const apply = () => {
      if (!execution) return;
      if (pending.cancel) execution.cancel();
      else if (pending.pause) execution.pause(pending.now ?? false);
      pending = {};
    };
    const done = (async () => {
      if (this.active.has(runId))
        throw new RunActiveError(`run ${runId} is already executing in this process`);
      const prepared = await prepare();
      const runArgs = args ?? this.store.readArgs(runId);
      const def = (prepared ?? definition) as WorkflowDefinition;
      execution = new RunExecution(runId, def, runArgs, workdir, this.owner);
      this.active.set(runId, execution);
      this.known.set(runId, { definition: def, workdir, args: runArgs });
      apply();
      try {
        return await execution.done;
      } finally {
        this.active.delete(runId);
      }
    })();
    return {
      runId,
      done,
      pause: async (options = {}) => {
        pending.pause = true;
        pending.now = pending.now || options.now;
        apply();
      },
      cancel: async () => {
        pending.cancel = true;
        apply();
      },
    };
  }
}
