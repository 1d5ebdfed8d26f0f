import type { DbClient } from "@phaseboard/db";
import type {
  PinnedRestateRun,
  ProgressEntry,
  RestateRunRecords,
} from "@phaseboard/restate-backend";
import type { Checkpoint } from "@phaseboard/workflow-engine";
import { StepLogLines } from "./StepLogLines.js";

/**
 * The restate backend's run records in the board's database, so that a server keeps
 * nothing of a run but its rows and any server of the board can serve it: its steps' log
 * lines (`step_log_lines`), the run as pinned, the checkpoint its generation ended with and
 * its generation (`restate_runs`). All of them go with the run's row.
 */
export class PrismaRestateRunRecords implements RestateRunRecords {
  private lines: StepLogLines;

  /** `linesKept`: a step's log lines kept (see `StepLogLines`). */
  constructor(
    private readonly db: DbClient,
    options: { linesKept?: number } = {},
  ) {
    this.lines = new StepLogLines(db, options.linesKept);
  }

  async pinned(runId: string): Promise<PinnedRestateRun | undefined> {
    const row = await this.db.restateRun.findUnique({
      where: { workflow_run_id: runId },
      select: { pinned: true },
    });
    return (row?.pinned ?? undefined) as PinnedRestateRun | undefined;
  }

  async pin(runId: string, run: PinnedRestateRun): Promise<void> {
    // A pin never changes: written once, by the first submission.
    if (await this.pinned(runId)) return;
    const data = { pinned: run as unknown as object };
    await this.db.restateRun.upsert({
      where: { workflow_run_id: runId },
      create: { workflow_run_id: runId, ...data },
      update: data,
    });
  }

  /** No folder: the board's log tail reads the database (`StepService`). */
  stepLogDir(): undefined {
    return undefined;
  }

  async progressKept(runId: string): Promise<number> {
    return await this.lines.lastSeq(runId);
  }

  async keepProgress(runId: string, entries: ProgressEntry[]): Promise<void> {
    await this.lines.append(
      runId,
      entries.map((entry) => ({
        stepKey: entry.stepKey,
        seq: entry.seq,
        text: JSON.stringify(entry.event),
      })),
    );
  }

  async generation(runId: string): Promise<number> {
    const row = await this.db.restateRun.findUnique({
      where: { workflow_run_id: runId },
      select: { generation: true },
    });
    return row?.generation ?? 1;
  }

  async checkpoint(runId: string): Promise<Checkpoint | undefined> {
    const row = await this.db.restateRun.findUnique({
      where: { workflow_run_id: runId },
      select: { checkpoint: true },
    });
    return (row?.checkpoint ?? undefined) as Checkpoint | undefined;
  }

  async keepCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void> {
    const data = { checkpoint: checkpoint as object };
    await this.db.restateRun.upsert({
      where: { workflow_run_id: runId },
      create: { workflow_run_id: runId, ...data },
      update: data,
    });
  }

  async startGeneration(
    runId: string,
    generation: number,
    checkpoint: Checkpoint | undefined,
  ): Promise<void> {
    const data = { generation, ...(checkpoint && { checkpoint: checkpoint as object }) };
    await this.db.restateRun.upsert({
      where: { workflow_run_id: runId },
      create: { workflow_run_id: runId, ...data },
      update: data,
    });
  }
}
