import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import type { LoadedCheckpoint } from "../checkpoint/CheckpointStore.js";
import type { ApprovalDecision } from "../types/context.js";
import type { DefinitionSnapshot } from "../types/definition.js";
import type { StepLogEvent } from "../types/observer.js";
import type { StepResult } from "../types/step.js";

/** What a run pins when it starts; a resume never rewrites it. */
export interface PinnedRun {
  snapshot: DefinitionSnapshot;
  args: Record<string, unknown>;
  /** A code template's bundle text. */
  bundle?: string;
  parentRunId?: string;
}

/** One recorded signal, in arrival order among the signals of its name. */
export interface StoredSignal {
  /** Sorts by arrival; unique within the run and the name. */
  id: string;
  name: string;
  payload: unknown;
}

/** One step's log: input, events as they happen, output and summary once it ends. */
export interface StepLogWriter {
  /** Where the log is, as the observer reports it (relative to the project root). */
  readonly ref: string;
  open(input: unknown): Promise<void>;
  append(event: StepLogEvent): void;
  close(result: StepResult, summary: string): Promise<void>;
  /** An interrupted attempt: keep what was logged, write no output. */
  abandon(): void;
}

/** The right to execute one run, held by one worker at a time. */
export interface RunLease {
  /** Renews the lease (the heartbeat). Never throws. */
  touch(): void;
  release(): void;
}

/**
 * Everything the engine keeps about its runs, and the only code that knows where and how:
 * pinned definition and arguments, checkpoints, step logs, signals, approvals and leases.
 * {@link FileRunStore} is seed 004's folder tree; another implementation (a database, a
 * distributed log) must pass `runStoreConformance` from `@phaseboard/workflow-engine/testing`.
 *
 * Checkpoints are the record of truth: `writeCheckpoint` is durable when it resolves and
 * atomic (a reader sees the previous or the new checkpoint, never a mix); its bytes are
 * fixed when it is called, so overlapping writes of one run still leave the newest call's
 * checkpoint as the one `loadCheckpoint` answers. Step logs are not durable.
 *
 * @example
 * const store = new FileRunStore(projectPath);
 * const executor = new WorkflowExecutor({ projectPath, workerId: "w1", store });
 * const timers = store.loadCheckpoint(runId)?.checkpoint.pending.timers;
 */
export interface RunStore {
  /** True once the run was pinned (its arguments are recorded). */
  hasRun(runId: string): boolean;
  /** The runs this store holds, in no particular order. */
  listRuns(): string[];
  /** Makes sure the run can be written; throws ExecutionsDirNotWritableError otherwise. */
  prepareRun(runId: string): void;
  /**
   * Pins the run's definition, arguments and bundle; a no-op when already pinned. Readers
   * never see a half-pinned run. `durable: false` when the caller's own record (a database
   * row) is the durable one and the files may be rewritten from it.
   */
  pinRun(runId: string, run: PinnedRun, options?: { durable?: boolean }): void;
  readSnapshot(runId: string): DefinitionSnapshot & { parentRunId?: string };
  readArgs(runId: string): Record<string, unknown>;
  /** The pinned bundle of a code template's run; undefined for YAML runs. */
  readBundle(runId: string): { expected: false } | { expected: true; text: string | undefined };

  /** The newest readable checkpoint; throws CheckpointCorruptError when none is. */
  loadCheckpoint(runId: string): LoadedCheckpoint | undefined;
  writeCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void>;

  stepLog(runId: string, stepKey: string): StepLogWriter;
  /**
   * The file where a running step records the process group it started (see
   * `StepProcessRecord`), so whoever runs the step next ends a group a dead owner left.
   * Process groups belong to one machine: a store that is not on the step's file system
   * leaves this out.
   */
  stepProcessFile?(runId: string, stepKey: string): string;

  /** Appends a signal durably, synchronously (so a caller can check and write in one block). */
  recordSignal(runId: string, name: string, payload: unknown): void;
  /** The signals recorded for `name`, oldest first. */
  signals(runId: string, name: string): StoredSignal[];
  /** Names that have at least one signal recorded. */
  signalNames(runId: string): string[];
  /** Moves signals to another run, keeping their order; each moves at most once. */
  moveSignals(fromRunId: string, toRunId: string, signals: StoredSignal[]): void;

  readApproval(runId: string, approvalKey: string): ApprovalDecision | undefined;
  writeApproval(
    runId: string,
    approvalKey: string,
    decision: { approved: boolean; by?: string; comment?: string },
  ): void;

  /** Takes the run's lease; throws RunLockedError while another live worker holds it. */
  acquireLease(runId: string, workerId: string, staleAfterMs?: number): RunLease;
  /** True when nobody holds the run's lease, or its holder is dead or silent too long. */
  leaseExpired(runId: string, staleAfterMs?: number): boolean;
}
