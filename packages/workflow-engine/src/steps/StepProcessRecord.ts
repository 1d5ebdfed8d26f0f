import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { killProcessGroup, processGroupAlive } from "./killProcessGroup.js";

/** What `logs/{stepKey}/process.json` holds while a step's process group runs. */
export interface StepProcess {
  /** The step's process group (its leader's pid). */
  pgid: number;
  /** The server process that started it. */
  ownerPid: number;
  startedAt: string;
}

/**
 * Ties a step's process group to the server process that started it. A server killed
 * with `kill -9` cannot end its steps' groups (they are detached, so pause and cancel can
 * signal the whole group), and the server that takes the run over would run the same step
 * again in the same worktree while the old one still writes there. So the group is
 * recorded in the run folder when it starts and removed once it is empty, and a step
 * ends any group still recorded for it — by a dead owner, or by a live one whose run was
 * taken over — before it starts again. One step never runs twice at once.
 */
export class StepProcessRecord {
  constructor(private readonly file: string | undefined) {}

  /** Ends a group an earlier owner of this step left running, then forgets it. */
  async takeOver(graceMs: number): Promise<StepProcess | undefined> {
    if (!this.file) return undefined;
    let previous: StepProcess;
    try {
      previous = JSON.parse(readFileSync(this.file, "utf8")) as StepProcess;
    } catch {
      return undefined; // none, or torn by a crash mid-write (written by rename, so rare)
    }
    if (Number.isInteger(previous.pgid) && previous.pgid > 1 && processGroupAlive(previous.pgid)) {
      await killProcessGroup(previous.pgid, graceMs);
    }
    rmSync(this.file, { force: true });
    return previous;
  }

  record(pgid: number): void {
    if (!this.file) return;
    const entry: StepProcess = { pgid, ownerPid: process.pid, startedAt: new Date().toISOString() };
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(entry));
    renameSync(`${this.file}.tmp`, this.file);
  }

  /** The group is empty: nothing left to end. */
  clear(): void {
    if (this.file) rmSync(this.file, { force: true });
  }
}
