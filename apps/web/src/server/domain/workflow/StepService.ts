import { join, resolve, sep } from "node:path";
import type { StepLog, StepLogType } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { HttpError } from "../../HttpError.js";
import { readLogRange } from "./readLogRange.js";
import { runStoreFor } from "./runStoreFor.js";
import { StepLogLines } from "./StepLogLines.js";

const LOG_FILES: Record<StepLogType, string> = {
  input: "input.json",
  output: "output.json",
  events: "events.jsonl",
  summary: "summary.md",
};

/** Steps and the log files the engine writes under `logs/{stepKey}/`. */
export class StepService {
  private lines: StepLogLines;

  constructor(private readonly db: DbClient) {
    this.lines = new StepLogLines(db);
  }

  async get(id: string) {
    const step = await this.db.workflowRunStep.findUnique({
      where: { id },
      include: {
        session: true,
        artifacts: { orderBy: { created_at: "asc" } },
        comments: { orderBy: { created_at: "asc" } },
      },
    });
    if (!step) throw new HttpError("NOT_FOUND", `No step ${id}`);
    return step;
  }

  /**
   * A range of one log file, never the whole of a big one: at most `limit` bytes from
   * `offset`, and `next_offset` says where to continue. For `events`, `after` skips the
   * first N lines so a tail reads only what is new (`next_after` continues it), and only
   * complete lines are returned.
   */
  async log(
    id: string,
    type: StepLogType,
    range: {
      after?: number | undefined;
      offset?: number | undefined;
      limit?: number | undefined;
    } = {},
  ): Promise<StepLog> {
    const step = await this.db.workflowRunStep.findUnique({
      where: { id },
      include: { run: { include: { project: true } } },
    });
    if (!step) throw new HttpError("NOT_FOUND", `No step ${id}`);
    // A step that ran on a worker (restate backend) has no log folder: its lines are rows,
    // read by line (`after`); a byte `offset` means nothing there and is not used.
    if (
      type === "events" &&
      step.log_directory_path === null &&
      (await this.lines.has(step.workflow_run_id, step.step_id))
    ) {
      const after = range.after ?? 0;
      const read = await this.lines.read(step.workflow_run_id, step.step_id, {
        after,
        ...(range.limit !== undefined && { limit: range.limit }),
      });
      return {
        type,
        step_id: id,
        content: read.content,
        truncated: read.more,
        next_after: after + read.lines.length,
        events: read.lines.map((line) => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            return { kind: "log", text: line };
          }
        }),
      };
    }
    const root = step.run.project.path;
    const dir = resolve(
      root,
      step.log_directory_path ?? runStoreFor(root).stepLog(step.workflow_run_id, step.step_id).ref,
    );
    // The path comes from the DB, but never read outside the project.
    if (!dir.startsWith(resolve(root) + sep))
      throw new HttpError("NOT_FOUND", `No logs for step ${id}`);
    const events = type === "events";
    const after = range.after ?? 0;
    const read = await readLogRange(join(dir, LOG_FILES[type]), {
      ...(range.offset !== undefined && { offset: range.offset }),
      ...(events && range.offset === undefined && { afterLine: after }),
      ...(range.limit !== undefined && { limit: range.limit }),
      lines: events,
    });
    const window = {
      offset: read.offset,
      next_offset: read.nextOffset,
      size: read.size,
      truncated: read.nextOffset < read.size,
    };
    if (!events) return { type, step_id: id, content: read.content, ...window };
    const lines = read.content.split("\n").filter((line) => line.length > 0);
    return {
      type,
      step_id: id,
      content: read.content,
      ...window,
      ...(range.offset === undefined && { next_after: after + read.lines }),
      events: lines.map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return { kind: "log", text: line };
        }
      }),
    };
  }
}
