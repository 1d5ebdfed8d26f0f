import type {
  ApprovalDecision,
  Checkpoint,
  DefinitionSnapshot,
  PinnedRun,
  RunLease,
  RunStore,
  StepLogWriter,
  StoredSignal,
} from "@phaseboard/workflow-engine";

interface HeldRun {
  pinned: PinnedRun;
  checkpoint?: Checkpoint;
  written: number;
  signals: StoredSignal[];
  approvals: Map<string, ApprovalDecision>;
}

const noLease: RunLease = { touch() {}, release() {} };

/**
 * The RunStore of one Restate invocation: everything in memory, rebuilt on every replay.
 * Nothing here needs to be durable, because Restate's journal is: every step outcome and
 * timer the run depends on is a journal entry (see RestateJournal), so executing the
 * template again from the top answers the same results and rebuilds the same checkpoint.
 * Signals and approvals are loaded from the run's inbox, read through the journal too.
 */
export class JournalRunStore implements RunStore {
  private runs = new Map<string, HeldRun>();

  constructor(
    private options: {
      /**
       * Checkpoints a run starts from instead of an empty one: a rewound run's new
       * generation carries the results of the phases it keeps.
       */
      seeds?: Record<string, Checkpoint>;
      /** Signals a run that continued as new did not take, for its successor's inbox. */
      onSignalsMoved?: (toRunId: string, signals: StoredSignal[]) => void;
    } = {},
  ) {}

  private held(runId: string): HeldRun {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} is not held by this invocation`);
    return run;
  }

  hasRun(runId: string): boolean {
    return this.runs.has(runId);
  }

  listRuns(): string[] {
    return [...this.runs.keys()];
  }

  prepareRun(): void {}

  pinRun(runId: string, run: PinnedRun): void {
    if (this.runs.has(runId)) return;
    const seed = this.options.seeds?.[runId];
    this.runs.set(runId, {
      pinned: run,
      written: 0,
      signals: [],
      approvals: new Map(),
      ...(seed !== undefined && { checkpoint: structuredClone(seed) }),
    });
  }

  readSnapshot(runId: string): DefinitionSnapshot & { parentRunId?: string } {
    const { pinned } = this.held(runId);
    return {
      ...pinned.snapshot,
      ...(pinned.parentRunId !== undefined && { parentRunId: pinned.parentRunId }),
    };
  }

  readArgs(runId: string): Record<string, unknown> {
    return this.held(runId).pinned.args;
  }

  readBundle(runId: string): { expected: false } | { expected: true; text: string | undefined } {
    const { pinned } = this.held(runId);
    if (pinned.snapshot.format !== "code") return { expected: false };
    return { expected: true, text: pinned.bundle };
  }

  loadCheckpoint(runId: string) {
    const run = this.held(runId);
    if (!run.checkpoint) return undefined;
    return { checkpoint: structuredClone(run.checkpoint), sequence: run.written, skipped: [] };
  }

  async writeCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void> {
    const run = this.held(runId);
    run.checkpoint = structuredClone(checkpoint);
    run.written += 1;
  }

  stepLog(runId: string, stepKey: string): StepLogWriter {
    // A step's log lives with the worker that runs it; the engine side keeps none.
    return {
      ref: `restate:${runId}/${stepKey}`,
      open: async () => {},
      append: () => {},
      close: async () => {},
      abandon: () => {},
    };
  }

  recordSignal(runId: string, name: string, payload: unknown): void {
    const run = this.held(runId);
    run.signals.push({ id: String(run.signals.length).padStart(10, "0"), name, payload });
  }

  signals(runId: string, name: string): StoredSignal[] {
    return this.held(runId).signals.filter((signal) => signal.name === name);
  }

  signalNames(runId: string): string[] {
    return [...new Set(this.held(runId).signals.map((signal) => signal.name))];
  }

  moveSignals(fromRunId: string, toRunId: string, signals: StoredSignal[]): void {
    const from = this.held(fromRunId);
    const ids = new Set(signals.map((signal) => signal.id));
    from.signals = from.signals.filter((signal) => !ids.has(signal.id));
    // The successor is another invocation: its inbox gets them, not this memory.
    if (this.runs.has(toRunId)) {
      for (const signal of signals) this.recordSignal(toRunId, signal.name, signal.payload);
    } else {
      this.options.onSignalsMoved?.(toRunId, signals);
    }
  }

  readApproval(runId: string, approvalKey: string): ApprovalDecision | undefined {
    return this.held(runId).approvals.get(approvalKey);
  }

  writeApproval(runId: string, approvalKey: string, decision: ApprovalDecision): void {
    const approvals = this.held(runId).approvals;
    // The first decision stands, as with the file store's approval files.
    if (!approvals.has(approvalKey)) approvals.set(approvalKey, decision);
  }

  acquireLease(): RunLease {
    // Restate runs one attempt of an invocation at a time: it is the lease.
    return noLease;
  }

  leaseExpired(): boolean {
    return false;
  }
}
