import { constants, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CheckpointCorruptError } from "../errors/CheckpointCorruptError.js";
import { fsyncDirectoryAsync, writeFileAtomicAsync } from "../storage/writeFileAtomic.js";
import type { Checkpoint } from "./Checkpoint.js";
import {
  applyJournalRecord,
  CheckpointDiff,
  type JournalRecord,
  parseJournalRecord,
} from "./CheckpointDiff.js";
import { CHECKPOINTS_KEPT, type LoadedCheckpoint } from "./CheckpointStore.js";
import { parseCheckpoint } from "./parseCheckpoint.js";

const SNAPSHOT = /^step-(\d+)\.json$/;
const JOURNAL = /^journal-(\d+)\.jsonl$/;

/** Records between two snapshots while a run is running. */
export const DEFAULT_COMPACT_EVERY = 100;

/**
 * A run's checkpoints as seed 004's snapshots (`step-N.json`, the whole checkpoint) plus
 * an append-only journal of what each write changed (`journal-N.jsonl`: the writes after
 * snapshot N, one line each). A write of a running run appends one line with one
 * synchronized write: O(change), not O(run). Every `compactEvery` records the state is
 * also written as a snapshot, without holding the write, and the journal goes on in a new
 * file. A write of a run that stops running (end, pause, waiting) is a snapshot, and so is
 * the first write of each holder of the run's lease ({@link restart}), so nobody appends
 * after a line a crash tore.
 *
 * Loading takes the newest readable snapshot and replays the journal records after it, in
 * order, as long as they follow on (a torn last line is a write that never completed).
 * Snapshots written by the old layout, with no journal, load as they are.
 */
export class CheckpointJournal {
  /** The number of the last write handed out. */
  private sequence = -1;
  private diff = new CheckpointDiff();
  /** Where records go; undefined: the next write is a snapshot that starts a journal. */
  private journal: JournalFile | undefined;
  private sinceSnapshot = 0;
  /** The last durable operation started (snapshot or append), for ordering the next. */
  private last: Promise<unknown> = Promise.resolve();
  private readonly compactEvery: number;

  constructor(
    readonly dir: string,
    options: { compactEvery?: number } = {},
  ) {
    this.compactEvery = options.compactEvery ?? DEFAULT_COMPACT_EVERY;
  }

  /** A new holder of the run: its first write is a snapshot and a journal of its own. */
  restart(): void {
    this.journal?.release();
    this.journal = undefined;
  }

  /**
   * Durable when it resolves. The record (or snapshot) is built now, so overlapping writes
   * keep the order and contents of the calls.
   */
  write(checkpoint: Checkpoint): Promise<void> {
    const journal = this.journal;
    // A run that stops running (end, pause, waiting) is written as a snapshot: the next
    // execution starts from one file.
    if (journal && checkpoint.status === "running") {
      const seq = this.sequence + 1;
      const line = this.diff.next(seq, checkpoint);
      if (line !== undefined) {
        this.sequence = seq;
        const appended = journal.append(line);
        this.last = appended;
        // A failed append breaks the chain: the next write starts over with a snapshot.
        appended.catch(() => {
          if (this.journal === journal) this.restart();
        });
        this.sinceSnapshot += 1;
        if (this.sinceSnapshot >= this.compactEvery) {
          // The journal still has every record; a failed snapshot is retried by the next.
          this.compact(seq, checkpoint).catch(() => {});
        }
        return appended;
      }
    }
    return this.startJournal(checkpoint);
  }

  /**
   * Writes `checkpoint` as a snapshot after everything written so far; later records follow
   * it in a new journal file, created (for a running run) before the snapshot's directory
   * sync, so that sync makes both names durable.
   */
  private startJournal(checkpoint: Checkpoint): Promise<void> {
    const seq = (this.journal ? this.sequence : Math.max(this.sequence, this.newestOnDisk())) + 1;
    this.restart();
    this.sequence = seq;
    const bytes = JSON.stringify(checkpoint);
    this.diff.reset(checkpoint);
    this.sinceSnapshot = 0;
    // (Only when missing: something else in its place fails the write below, with its error.)
    if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true });
    let journal: JournalFile | undefined;
    const snapshot = this.last
      .catch(() => {})
      .then(async () => {
        if (checkpoint.status === "running") await journal?.create();
        await writeFileAtomicAsync(join(this.dir, `step-${seq}.json`), bytes);
      })
      .then(() => this.dropOld());
    this.last = snapshot;
    journal = new JournalFile(join(this.dir, `journal-${seq}.jsonl`), snapshot);
    this.journal = journal;
    snapshot.catch(() => {
      if (this.journal === journal) this.restart();
    });
    return snapshot;
  }

  /** Snapshot of write `seq` (already appended as a record); later records go to a new file. */
  private compact(seq: number, checkpoint: Checkpoint): Promise<void> {
    const bytes = JSON.stringify(checkpoint);
    const previous = this.journal as JournalFile;
    // The new file's records are durable only after the old file's: they follow on.
    this.journal = new JournalFile(join(this.dir, `journal-${seq}.jsonl`), this.last);
    previous.release();
    this.sinceSnapshot = 0;
    return writeFileAtomicAsync(join(this.dir, `step-${seq}.json`), bytes).then(() =>
      this.dropOld(),
    );
  }

  /**
   * Keeps the newest {@link CHECKPOINTS_KEPT} snapshots and the journal files from the older
   * one on (what a fallback to it replays); the rest is covered by them.
   */
  private async dropOld(): Promise<void> {
    const { snapshots, journals } = this.list();
    const oldestKept = snapshots[CHECKPOINTS_KEPT - 1];
    if (oldestKept === undefined) return;
    const gone = [
      ...snapshots.filter((n) => n < oldestKept).map((n) => `step-${n}.json`),
      ...journals.filter((n) => n < oldestKept).map((n) => `journal-${n}.jsonl`),
    ];
    // Already gone (another writer's cleanup) is fine.
    await Promise.all(gone.map((name) => unlink(join(this.dir, name)).catch(() => {})));
  }

  /** Snapshot numbers newest first, journal numbers oldest first. */
  private list(): { snapshots: number[]; journals: number[] } {
    const snapshots: number[] = [];
    const journals: number[] = [];
    if (!existsSync(this.dir)) return { snapshots, journals };
    for (const name of readdirSync(this.dir)) {
      const snapshot = SNAPSHOT.exec(name)?.[1];
      if (snapshot !== undefined) snapshots.push(Number(snapshot));
      const journal = JOURNAL.exec(name)?.[1];
      if (journal !== undefined) journals.push(Number(journal));
    }
    snapshots.sort((a, b) => b - a);
    journals.sort((a, b) => a - b);
    return { snapshots, journals };
  }

  /** The highest write number any file holds (-1 for none). */
  private newestOnDisk(): number {
    const { snapshots, journals } = this.list();
    let newest = Math.max(-1, ...snapshots, ...journals);
    for (const base of journals) {
      for (const record of readJournal(join(this.dir, `journal-${base}.jsonl`)).records) {
        newest = Math.max(newest, record.seq);
      }
    }
    return newest;
  }

  /**
   * The newest state: the newest readable snapshot and the journal records that follow it.
   * Throws CheckpointCorruptError when there are checkpoint files but no snapshot is readable.
   */
  load(): LoadedCheckpoint | undefined {
    // A writer's cleanup may delete a file between listing and reading: list again.
    for (let attempt = 0; ; attempt++) {
      try {
        return this.loadOnce();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3) throw error;
      }
    }
  }

  private loadOnce(): LoadedCheckpoint | undefined {
    const { snapshots, journals } = this.list();
    if (snapshots.length === 0) {
      // A run's first snapshot creates its journal file just before it lands.
      const records = journals.some(
        (base) => statSync(join(this.dir, `journal-${base}.jsonl`)).size > 0,
      );
      if (!records) return undefined;
    }
    const skipped: LoadedCheckpoint["skipped"] = [];
    let base: { checkpoint: Checkpoint; sequence: number } | undefined;
    for (const sequence of snapshots) {
      const file = join(this.dir, `step-${sequence}.json`);
      try {
        base = { checkpoint: parseCheckpoint(JSON.parse(readFileSync(file, "utf8"))), sequence };
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") throw error;
        skipped.push({ file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (!base) {
      const why = skipped.map((s) => `${s.file}: ${s.reason}`).join("; ") || "no snapshot";
      throw new CheckpointCorruptError(`no readable checkpoint in ${this.dir}: ${why}`);
    }
    const { checkpoint } = base;
    let sequence = base.sequence;
    const later: JournalRecord[] = [];
    for (const journal of journals) {
      const file = join(this.dir, `journal-${journal}.jsonl`);
      const read = readJournal(file);
      for (const bad of read.invalid) skipped.push({ file, reason: bad });
      for (const record of read.records) if (record.seq > sequence) later.push(record);
    }
    later.sort((a, b) => a.seq - b.seq);
    for (const record of later) {
      if (record.seq <= sequence) continue;
      if (record.seq !== sequence + 1) {
        skipped.push({
          file: this.dir,
          reason: `journal records from ${record.seq} on do not follow write ${sequence}`,
        });
        break;
      }
      applyJournalRecord(checkpoint, record);
      sequence = record.seq;
    }
    try {
      return { checkpoint: parseCheckpoint(checkpoint), sequence, skipped };
    } catch (error) {
      throw new CheckpointCorruptError(
        `the checkpoint journal in ${this.dir} leads to an unreadable checkpoint: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/**
 * A journal file's records. The last line may be torn by a crash mid-append (the write was
 * never acknowledged): it is left out silently. A bad line before it is reported.
 */
function readJournal(file: string): { records: JournalRecord[]; invalid: string[] } {
  // ENOENT (deleted by a cleanup after the listing) reaches `load`, which lists again.
  const lines = readFileSync(file, "utf8").split("\n");
  const complete = lines.slice(0, -1); // after the last newline: a torn line, or nothing
  const records: JournalRecord[] = [];
  const invalid: string[] = [];
  complete.forEach((line, index) => {
    const record = parseJournalRecord(line);
    if (record) records.push(record);
    else if (index < complete.length - 1 || line.length === 0) {
      invalid.push(`line ${index + 1} is not a journal record`);
    }
    // a bad final line with its newline: torn as well (a crash may persist the newline
    // before the bytes that precede it)
  });
  return { records, invalid };
}

/**
 * One journal file, appended to in batches: the lines of writes that arrive while a batch
 * is being written go out together in the next one. The file is opened with O_DSYNC, so
 * each batch is one write that returns once its data is durable (an fdatasync in the same
 * syscall): one thread-pool hop, handed to the pool as the write is called, so the
 * caller's own work (a step's log files) overlaps it.
 */
class JournalFile {
  private handle: FileHandle | undefined;
  private size = 0;
  private pending: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private ready = false;
  private failed: unknown;
  private released = false;

  constructor(
    readonly path: string,
    /** Settles once what must be durable before this file's records is. */
    private readonly after: Promise<unknown>,
  ) {
    after.then(
      () => {
        this.ready = true;
      },
      () => {},
    );
  }

  append(line: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failed !== undefined) {
        reject(this.failed);
        return;
      }
      this.pending.push({ line, resolve, reject });
      if (this.flushing) return;
      this.flushing = this.ready ? this.drain() : this.waitThenDrain();
    });
  }

  /** Creates the (empty) file now, so its first append needs no directory sync. */
  async create(): Promise<void> {
    this.handle ??= await open(this.path, APPEND_DURABLY, 0o644);
    if (this.released && !this.flushing) await this.close();
  }

  /** No more appends: the file is closed once what was appended is written. */
  release(): void {
    this.released = true;
    if (!this.flushing) void this.close();
  }

  private async waitThenDrain(): Promise<void> {
    try {
      await this.after;
    } catch (error) {
      // What these records follow did not land: they must not land either.
      this.failed = error;
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      if (this.failed !== undefined) {
        for (const entry of batch) entry.reject(this.failed);
        continue;
      }
      try {
        await this.writeDurably(Buffer.from(batch.map((entry) => entry.line).join("")));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        this.failed = error;
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = undefined;
    if (this.released) await this.close();
  }

  private async writeDurably(bytes: Buffer): Promise<void> {
    let created = false;
    if (!this.handle) {
      this.handle = await open(this.path, APPEND_DURABLY, 0o644);
      created = true;
    }
    try {
      await this.handle.write(bytes);
      // The new file's name is only durable once its directory is (once per file).
      if (created) await fsyncDirectoryAsync(dirname(this.path));
      this.size += bytes.length;
    } catch (error) {
      // Nothing half-written: cut what may have landed of this batch.
      await this.handle.truncate(this.size).catch(() => {});
      throw error;
    }
  }

  private async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => {});
  }
}

/** Append-only, created if missing, each write durable (data) before it returns. */
const APPEND_DURABLY =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;
