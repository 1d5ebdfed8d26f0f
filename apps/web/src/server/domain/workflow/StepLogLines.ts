import type { DbClient } from "@phaseboard/db";
import { DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT } from "./readLogRange.js";

/**
 * Lines kept per step. The sender cuts a line at 4 000 characters and the run's feed
 * passes at most about 500 lines a second, so a step's log stays under ~40 MB even at
 * its worst; an agent's hour of events is a few thousand lines.
 */
export const STEP_LOG_LINES_KEPT = 10_000;
/** Rows one log read fetches at most; the reader goes on with `after`. */
const ROWS_PER_READ = 2_000;

/** A line to keep: its step, its place in the run's feed (`seq`), its JSON text. */
export interface StepLogLineInput {
  stepKey: string;
  seq: number;
  text: string;
}

/**
 * A step's log (what events.jsonl holds on the local backend) kept in the database, for
 * runs on the restate backend: their steps run on workers, and every server of the board
 * must read them. Bounded: {@link STEP_LOG_LINES_KEPT} lines per step, then one `system`
 * line saying later lines were not kept; the rows go with the run (cascade).
 */
export class StepLogLines {
  /** The next line number of each step this server wrote to (`runId\0stepKey`). */
  private next = new Map<string, number>();

  /** `kept`: lines kept per step ({@link STEP_LOG_LINES_KEPT} unless a test sets fewer). */
  constructor(
    private readonly db: DbClient,
    private readonly kept = STEP_LOG_LINES_KEPT,
  ) {}

  /**
   * Appends lines in `seq` order. A line whose `seq` is kept already (relayed again by
   * another server, or this one after a restart) is skipped.
   */
  async append(runId: string, lines: StepLogLineInput[], retry = true): Promise<void> {
    if (lines.length === 0) return;
    // Optimistic: a relay reads on after the newest kept line, so its lines are new. Only
    // when the insert conflicts (another server kept some) are the kept ones looked up.
    const kept = retry
      ? []
      : await this.db.stepLogLine.findMany({
          where: { workflow_run_id: runId, seq: { in: lines.map((line) => line.seq) } },
          select: { seq: true },
        });
    const seen = new Set(kept.map((row) => row.seq));
    const rows: {
      workflow_run_id: string;
      step_id: string;
      line: number;
      seq: number;
      text: string;
    }[] = [];
    for (const line of lines) {
      if (seen.has(line.seq)) continue;
      const key = `${runId}\0${line.stepKey}`;
      let next = this.next.get(key);
      if (next === undefined) {
        const last = await this.db.stepLogLine.aggregate({
          where: { workflow_run_id: runId, step_id: line.stepKey },
          _max: { line: true },
        });
        next = (last._max.line ?? -1) + 1;
      }
      if (next < this.kept) {
        rows.push({
          workflow_run_id: runId,
          step_id: line.stepKey,
          line: next,
          seq: line.seq,
          text: line.text,
        });
      } else if (next === this.kept) {
        rows.push({
          workflow_run_id: runId,
          step_id: line.stepKey,
          line: next,
          seq: line.seq,
          text: JSON.stringify({
            at: new Date().toISOString(),
            kind: "system",
            text: `… later lines of this step are not kept (${this.kept} lines at most)`,
          }),
        });
      }
      // Bounded: a server that forgot a step's numbering reads it again (one query).
      if (this.next.size >= 10_000) this.next.clear();
      this.next.set(key, Math.min(next + 1, this.kept + 1));
    }
    if (rows.length === 0) return;
    try {
      await this.db.stepLogLine.createMany({ data: rows });
    } catch (error) {
      // Another server kept some of these lines, or lines of these steps, meanwhile (one
      // statement: none of these went in): skip the kept ones and number the rest again.
      for (const row of rows) this.next.delete(`${runId}\0${row.step_id}`);
      if (!retry) throw error;
      await this.append(runId, lines, false);
    }
  }

  /** The `seq` of the newest line kept for the run (0 when none). */
  async lastSeq(runId: string): Promise<number> {
    const last = await this.db.stepLogLine.aggregate({
      where: { workflow_run_id: runId },
      _max: { seq: true },
    });
    return last._max.seq ?? 0;
  }

  /** True when the step has lines kept here (its log is in the database, not a folder). */
  async has(runId: string, stepKey: string): Promise<boolean> {
    const row = await this.db.stepLogLine.findFirst({
      where: { workflow_run_id: runId, step_id: stepKey },
      select: { line: true },
    });
    return row !== null;
  }

  /**
   * The step's lines from line `after` on, as the log tail reads events.jsonl: whole lines,
   * at most `limit` bytes (one line alone may exceed it, so a reader moves on), and whether
   * more follow.
   */
  async read(
    runId: string,
    stepKey: string,
    range: { after?: number; limit?: number } = {},
  ): Promise<{ content: string; lines: string[]; more: boolean }> {
    const limit = Math.min(range.limit ?? DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT);
    const rows = await this.db.stepLogLine.findMany({
      where: { workflow_run_id: runId, step_id: stepKey, line: { gte: range.after ?? 0 } },
      orderBy: { line: "asc" },
      take: ROWS_PER_READ + 1,
      select: { text: true },
    });
    const lines: string[] = [];
    let bytes = 0;
    for (const [index, row] of rows.entries()) {
      if (index >= ROWS_PER_READ) break;
      const size = Buffer.byteLength(row.text) + 1;
      if (lines.length > 0 && bytes + size > limit) break;
      lines.push(row.text);
      bytes += size;
    }
    return {
      content: lines.map((line) => `${line}\n`).join(""),
      lines,
      more: rows.length > lines.length,
    };
  }
}
