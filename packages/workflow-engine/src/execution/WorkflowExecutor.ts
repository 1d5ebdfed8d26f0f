import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import { CheckpointStore } from "../checkpoint/CheckpointStore.js";
import { DefinitionRequiredError } from "../errors/DefinitionRequiredError.js";
import { ExecutionsDirNotWritableError } from "../errors/ExecutionsDirNotWritableError.js";
import { RunActiveError } from "../errors/RunActiveError.js";
import { RunEndedError } from "../errors/RunEndedError.js";
import { RunNotFoundError } from "../errors/RunNotFoundError.js";
import { UnknownPhaseError } from "../errors/UnknownPhaseError.js";
import { RunLock } from "../lease/RunLock.js";
import { pinBundle } from "../storage/pinBundle.js";
import { runPaths } from "../storage/runPaths.js";
import { recordSignal } from "../storage/signalFiles.js";
import { writeFileAtomic } from "../storage/writeFileAtomic.js";
import { loadDefinitionFromSnapshot } from "../templates/loadDefinitionFromSnapshot.js";
import type { DefinitionSnapshot, WorkflowDefinition } from "../types/definition.js";
import type {
  ExecutorOptions,
  RunHandle,
  StartRunInput,
  WorkflowExecutorApi,
} from "../types/executor.js";
import { RunExecution, type RunOwner } from "./RunExecution.js";

/**
 * Executes runs durably under `{projectPath}/.agent/workflows/executions/{runId}`.
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

  constructor(readonly options: ExecutorOptions) {
    this.owner = {
      options,
      startOrResumeChild: (runId, definition, input) => {
        const paths = runPaths(options.projectPath, runId);
        if (existsSync(paths.args))
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
        const snapshot = readSnapshot(from.paths.definition);
        const bundle = bundleFile(from.paths.root, snapshot);
        const handle = this.start({
          runId,
          definition: from.definition,
          snapshot,
          ...(bundle && existsSync(bundle) && { bundle: readFileSync(bundle, "utf8") }),
          args,
          workdir: from.workdir,
        });
        handle.done.catch(() => {});
      },
    };
  }

  start(input: StartRunInput): RunHandle {
    const paths = runPaths(this.options.projectPath, input.runId);
    const workdir = input.workdir ?? this.options.projectPath;
    return this.launch(input.runId, input.definition, workdir, input.args, async () => {
      prepareRunDir(paths.root);
      // Pinned once: a resume never rewrites what the run started with.
      if (!existsSync(paths.args)) {
        writeFileAtomic(
          paths.definition,
          JSON.stringify(
            { ...input.snapshot, ...(input.parentRunId ? { parentRunId: input.parentRunId } : {}) },
            null,
            2,
          ),
        );
        writeFileAtomic(paths.args, JSON.stringify(input.args, null, 2));
      }
      const bundle = bundleFile(paths.root, input.snapshot);
      if (bundle && input.bundle !== undefined && !existsSync(bundle)) {
        pinBundle(this.options.projectPath, bundle, input.bundle);
      }
      return input.definition;
    });
  }

  resume(
    runId: string,
    options: { definition?: WorkflowDefinition; workdir?: string } = {},
  ): RunHandle {
    const paths = runPaths(this.options.projectPath, runId);
    const known = this.known.get(runId);
    const definition = options.definition ?? known?.definition;
    const workdir = options.workdir ?? known?.workdir ?? this.options.projectPath;
    return this.launch(runId, definition, workdir, undefined, async () => {
      if (!existsSync(paths.args))
        throw new RunNotFoundError(`no execution directory for run ${runId} at ${paths.root}`);
      prepareRunDir(paths.root);
      if (definition) return definition;
      // Another process started it (or this one restarted): run what the run pinned.
      const snapshot = readSnapshot(paths.definition);
      const bundle = bundleFile(paths.root, snapshot);
      if (bundle && !existsSync(bundle)) {
        throw new DefinitionRequiredError(
          `resume of run ${runId} needs its definition: ${bundle} is missing`,
        );
      }
      return loadDefinitionFromSnapshot(
        snapshot,
        bundle ? readFileSync(bundle, "utf8") : undefined,
        paths.definition,
      );
    });
  }

  async rewind(runId: string, phase: string): Promise<void> {
    if (this.active.has(runId))
      throw new RunActiveError(`run ${runId} is executing; pause it before rewinding`);
    const paths = runPaths(this.options.projectPath, runId);
    if (!existsSync(paths.args))
      throw new RunNotFoundError(`no execution directory for run ${runId}`);
    const phases = readSnapshot(paths.definition).phases ?? [];
    const target = phases.indexOf(phase);
    if (target < 0) {
      throw new UnknownPhaseError(`cannot rewind to "${phase}": phases are ${phases.join(", ")}`);
    }
    // The lock keeps another process from executing the run while its history is cut.
    const lock = new RunLock(paths.lock, this.options.workerId, this.options.staleAfterMs);
    lock.acquire();
    try {
      const store = new CheckpointStore(paths.checkpoints);
      const checkpoint = store.load()?.checkpoint;
      if (!checkpoint) return;
      const keep = checkpoint.completed_step_ids.filter((key) => {
        const meta = checkpoint.step_meta[key];
        return meta !== undefined && phases.indexOf(meta.phase) < target;
      });
      const kept = new Set(keep);
      for (const key of Object.keys(checkpoint.step_results)) {
        if (!kept.has(key)) {
          delete checkpoint.step_results[key];
          delete checkpoint.step_meta[key];
          // What the dropped steps took is there to take again.
          delete checkpoint.signals_taken?.[key];
        }
      }
      checkpoint.completed_step_ids = keep;
      checkpoint.current_step_index = keep.length;
      checkpoint.current_phase = phase;
      checkpoint.pending = { timers: {}, children: {}, agent_sessions: {} };
      checkpoint.status = "paused";
      delete checkpoint.result;
      delete checkpoint.error;
      delete checkpoint.continued_as;
      checkpoint.timestamp = new Date().toISOString();
      store.save(checkpoint);
    } finally {
      lock.release();
    }
  }

  async signal(runId: string, name: string, payload?: unknown): Promise<string> {
    const paths = runPaths(this.options.projectPath, runId);
    if (!existsSync(paths.args))
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
    recordSignal(runPaths(this.options.projectPath, target).signals, name, payload);
    return target;
  }

  /** Where a run's signals go now: its successor when it continued as new, else itself. */
  private successorOf(runId: string): { next?: string; ended?: "completed" | "cancelled" } {
    const active = this.active.get(runId);
    if (active) return active.continuation === undefined ? {} : { next: active.continuation };
    let checkpoint: Checkpoint | undefined;
    try {
      checkpoint = new CheckpointStore(runPaths(this.options.projectPath, runId).checkpoints).load()
        ?.checkpoint;
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
    const paths = runPaths(this.options.projectPath, runId);
    if (!existsSync(paths.args))
      throw new RunNotFoundError(`no execution directory for run ${runId}`);
    mkdirSync(paths.approvals, { recursive: true });
    writeFileAtomic(
      `${paths.approvals}/${encodeURIComponent(approvalId)}.json`,
      JSON.stringify({ ...decision, at: new Date().toISOString() }),
    );
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
      const paths = runPaths(this.options.projectPath, runId);
      const runArgs =
        args ?? (JSON.parse(readFileSync(paths.args, "utf8")) as Record<string, unknown>);
      const def = (prepared ?? definition) as WorkflowDefinition;
      execution = new RunExecution(runId, def, paths, runArgs, workdir, this.owner);
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

function prepareRunDir(root: string): void {
  try {
    mkdirSync(root, { recursive: true });
    accessSync(root, constants.W_OK);
  } catch (error) {
    throw new ExecutionsDirNotWritableError(
      `cannot write the run's executions directory ${root}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Where a code template's run keeps its bundle; undefined for YAML runs. */
function bundleFile(root: string, snapshot: DefinitionSnapshot): string | undefined {
  return "bundle" in snapshot.source ? join(root, snapshot.source.bundle) : undefined;
}

function readSnapshot(path: string): DefinitionSnapshot {
  return JSON.parse(readFileSync(path, "utf8")) as DefinitionSnapshot;
}
