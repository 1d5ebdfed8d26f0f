import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import { CheckpointJournal } from "../checkpoint/CheckpointJournal.js";
import type { LoadedCheckpoint } from "../checkpoint/CheckpointStore.js";
import { ExecutionsDirNotWritableError } from "../errors/ExecutionsDirNotWritableError.js";
import { DEFAULT_STALE_AFTER_MS, isLockStale, RunLock, readLockOwner } from "../lease/RunLock.js";
import { pinBundle } from "../storage/pinBundle.js";
import { executionsDir, type RunPaths, runPaths } from "../storage/runPaths.js";
import { recordSignal, signalFiles } from "../storage/signalFiles.js";
import { writeFileAtomic } from "../storage/writeFileAtomic.js";
import type { ApprovalDecision } from "../types/context.js";
import type { DefinitionSnapshot } from "../types/definition.js";
import { FileStepLog } from "./FileStepLog.js";
import type { PinnedRun, RunLease, RunStore, StepLogWriter, StoredSignal } from "./RunStore.js";

/**
 * Seed 004's tree under `{projectPath}/.agent/workflows/executions/{runId}` (see the
 * engine's ARCHITECTURE.md, "Files of one run"): the {@link RunStore} every run written
 * so far lives in, so a run started before this class existed resumes unchanged.
 *
 * @example
 * const store = new FileRunStore(projectPath);
 * store.loadCheckpoint(runId)?.checkpoint.status; // "running" | "paused" | …
 */
export class FileRunStore implements RunStore {
  /** One checkpoint journal per run, so a run's writes are numbered and ordered in one place. */
  private journals = new Map<string, CheckpointJournal>();

  constructor(
    readonly projectPath: string,
    private readonly options: {
      /** Journal records between two checkpoint snapshots of a running run (default 100). */
      compactEvery?: number;
    } = {},
  ) {}

  /** The run's files; for code that must hand a path to something outside the engine. */
  paths(runId: string): RunPaths {
    return runPaths(this.projectPath, runId);
  }

  hasRun(runId: string): boolean {
    return existsSync(this.paths(runId).args);
  }

  listRuns(): string[] {
    const dir = executionsDir(this.projectPath);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((name) => !name.startsWith("."));
  }

  pinRun(runId: string, run: PinnedRun, options: { durable?: boolean } = {}): void {
    const paths = this.paths(runId);
    const write = options.durable === false ? writeFileWhole : writeFileAtomic;
    this.prepareRun(runId);
    const bundle = bundleFile(paths.root, run.snapshot);
    // Whole files in this order, args.json last: a run counts as pinned (hasRun) only once
    // everything a resume in another process reads is there.
    if (!existsSync(paths.args)) {
      write(
        paths.definition,
        JSON.stringify(
          { ...run.snapshot, ...(run.parentRunId ? { parentRunId: run.parentRunId } : {}) },
          null,
          2,
        ),
      );
    }
    if (bundle && run.bundle !== undefined && !existsSync(bundle)) {
      // A hard link to the project's one copy of this bundle (see pinBundle).
      pinBundle(this.projectPath, bundle, run.bundle);
    }
    if (!existsSync(paths.args)) write(paths.args, JSON.stringify(run.args, null, 2));
  }

  /** The folder of a step's uploaded artifacts (not part of the durable record). */
  artifactsDir(runId: string): string {
    return this.paths(runId).artifacts;
  }

  prepareRun(runId: string): void {
    const root = this.paths(runId).root;
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

  readSnapshot(runId: string): DefinitionSnapshot & { parentRunId?: string } {
    return JSON.parse(readFileSync(this.paths(runId).definition, "utf8")) as DefinitionSnapshot;
  }

  readArgs(runId: string): Record<string, unknown> {
    return JSON.parse(readFileSync(this.paths(runId).args, "utf8")) as Record<string, unknown>;
  }

  readBundle(runId: string): { expected: false } | { expected: true; text: string | undefined } {
    const paths = this.paths(runId);
    const bundle = bundleFile(paths.root, this.readSnapshot(runId));
    if (!bundle) return { expected: false };
    return { expected: true, text: existsSync(bundle) ? readFileSync(bundle, "utf8") : undefined };
  }

  loadCheckpoint(runId: string): LoadedCheckpoint | undefined {
    return this.journal(runId).load();
  }

  async writeCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void> {
    await this.journal(runId).write(checkpoint);
  }

  private journal(runId: string): CheckpointJournal {
    let journal = this.journals.get(runId);
    if (!journal) {
      journal = new CheckpointJournal(this.paths(runId).checkpoints, this.options);
      this.journals.set(runId, journal);
    }
    return journal;
  }

  stepLog(runId: string, stepKey: string): StepLogWriter {
    const paths = this.paths(runId);
    const dir = paths.stepLogDir(stepKey);
    return new FileStepLog(dir, paths.relative(dir));
  }

  stepProcessFile(runId: string, stepKey: string): string {
    return this.paths(runId).stepProcess(stepKey);
  }

  recordSignal(runId: string, name: string, payload: unknown): void {
    recordSignal(this.paths(runId).signals, name, payload);
  }

  signals(runId: string, name: string): StoredSignal[] {
    return signalFiles(this.paths(runId).signals, name).map((file) => ({
      id: basename(file),
      name,
      get payload() {
        return (JSON.parse(readFileSync(file, "utf8")) as { payload?: unknown }).payload ?? null;
      },
    }));
  }

  signalNames(runId: string): string[] {
    const dir = this.paths(runId).signals;
    if (!existsSync(dir)) return [];
    return readdirSync(dir).map((folder) => decodeURIComponent(folder));
  }

  moveSignals(fromRunId: string, toRunId: string, signals: StoredSignal[]): void {
    const from = this.paths(fromRunId).signals;
    const to = this.paths(toRunId).signals;
    for (const signal of signals) {
      const folder = encodeURIComponent(signal.name);
      mkdirSync(join(to, folder), { recursive: true });
      renameSync(join(from, folder, signal.id), join(to, folder, signal.id));
    }
  }

  readApproval(runId: string, approvalKey: string): ApprovalDecision | undefined {
    const file = join(this.paths(runId).approvals, `${encodeURIComponent(approvalKey)}.json`);
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, "utf8")) as ApprovalDecision;
  }

  writeApproval(
    runId: string,
    approvalKey: string,
    decision: { approved: boolean; by?: string; comment?: string },
  ): void {
    const dir = this.paths(runId).approvals;
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(
      join(dir, `${encodeURIComponent(approvalKey)}.json`),
      JSON.stringify({ ...decision, at: new Date().toISOString() }),
    );
  }

  acquireLease(runId: string, workerId: string, staleAfterMs?: number): RunLease {
    const lock = new RunLock(this.paths(runId).lock, workerId, staleAfterMs);
    lock.acquire();
    // A new holder never appends after a line a crashed one may have torn: its first
    // write is a snapshot that starts a journal of its own.
    this.journal(runId).restart();
    return { touch: () => lock.touch(), release: () => lock.release() };
  }

  leaseExpired(runId: string, staleAfterMs = DEFAULT_STALE_AFTER_MS): boolean {
    return isLockStale(readLockOwner(this.paths(runId).lock), staleAfterMs);
  }
}

let wholeCounter = 0;

/** A temp file renamed over `path`: readers see it whole or not at all (not fsynced). */
function writeFileWhole(path: string, data: string): void {
  wholeCounter += 1;
  const tmp = `${path}.${process.pid}.${wholeCounter}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Where a code template's run keeps its bundle; undefined for YAML runs. */
function bundleFile(root: string, snapshot: DefinitionSnapshot): string | undefined {
  return "bundle" in snapshot.source ? join(root, snapshot.source.bundle) : undefined;
}
