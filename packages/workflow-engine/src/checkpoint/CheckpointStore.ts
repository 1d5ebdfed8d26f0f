import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import { CheckpointCorruptError } from "../errors/CheckpointCorruptError.js";
import { writeFileAtomic, writeFileAtomicAsync } from "../storage/writeFileAtomic.js";
import type { Checkpoint } from "./Checkpoint.js";
import { parseCheckpoint } from "./parseCheckpoint.js";

const FILE = /^step-(\d+)\.json$/;

/** How many checkpoint files stay on disk: the newest, and one to fall back to. */
export const CHECKPOINTS_KEPT = 2;

export interface LoadedCheckpoint {
  checkpoint: Checkpoint;
  /** The number of the last write it holds (the N of step-N.json, or of a journal record). */
  sequence: number;
  /** Newer files that were truncated or corrupt and were skipped. */
  skipped: { file: string; reason: string }[];
}

/**
 * Seed 004's `checkpoints/step-N.json` files, each a full snapshot written atomically.
 * Only the newest {@link CHECKPOINTS_KEPT} stay: total disk use is bounded by two
 * snapshots instead of growing with the square of the step count. This is the layout runs
 * were written in before `CheckpointJournal` (which `FileRunStore` uses, and which reads
 * these files as they are); it stays for tools and tests that write that layout.
 */
export class CheckpointStore {
  private sequence: number;

  constructor(readonly dir: string) {
    this.sequence = Math.max(-1, ...this.list());
  }

  /**
   * Numbers the next write after the newest file on disk when another writer got further;
   * never goes back, so a write still in flight here keeps its place.
   */
  catchUp(): void {
    this.sequence = Math.max(this.sequence, ...this.list());
  }

  /** Sequence numbers of the files present, newest first. */
  list(): number[] {
    if (!existsSync(this.dir)) return [];
    const numbers: number[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = FILE.exec(name);
      if (match?.[1]) numbers.push(Number(match[1]));
    }
    return numbers.sort((a, b) => b - a);
  }

  /** The newest checkpoint that parses, or undefined when there is none at all. */
  load(): LoadedCheckpoint | undefined {
    const skipped: LoadedCheckpoint["skipped"] = [];
    const files = this.list();
    for (const sequence of files) {
      const file = join(this.dir, `step-${sequence}.json`);
      try {
        const checkpoint = parseCheckpoint(JSON.parse(readFileSync(file, "utf8")));
        return { checkpoint, sequence, skipped };
      } catch (error) {
        skipped.push({ file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (files.length > 0) {
      throw new CheckpointCorruptError(
        `no readable checkpoint in ${this.dir}: ${skipped.map((s) => `${s.file}: ${s.reason}`).join("; ")}`,
      );
    }
    return undefined;
  }

  /**
   * Writes step-(N+1).json durably, then drops files older than the kept window. The
   * number and the bytes are taken synchronously, so concurrent writes of one run still
   * leave the newest state under the highest number.
   */
  async write(checkpoint: Checkpoint): Promise<number> {
    if (this.sequence < 0) mkdirSync(this.dir, { recursive: true });
    this.sequence += 1;
    const sequence = this.sequence;
    await writeFileAtomicAsync(join(this.dir, `step-${sequence}.json`), JSON.stringify(checkpoint));
    const old = sequence - CHECKPOINTS_KEPT;
    // already gone (a rewind or an earlier cleanup) is fine
    if (old >= 0) await unlink(join(this.dir, `step-${old}.json`)).catch(() => {});
    return sequence;
  }

  /** Synchronous {@link write}, for short maintenance (rewind) outside a running run. */
  save(checkpoint: Checkpoint): number {
    if (this.sequence < 0) mkdirSync(this.dir, { recursive: true });
    this.sequence += 1;
    const sequence = this.sequence;
    writeFileAtomic(join(this.dir, `step-${sequence}.json`), JSON.stringify(checkpoint));
    const old = sequence - CHECKPOINTS_KEPT;
    if (old >= 0) {
      try {
        unlinkSync(join(this.dir, `step-${old}.json`));
      } catch {
        // already gone (a rewind or an earlier cleanup)
      }
    }
    return sequence;
  }
}
