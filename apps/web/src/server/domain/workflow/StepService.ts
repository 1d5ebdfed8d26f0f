import { readFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { StepLog, StepLogType } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { HttpError } from "../../HttpError.js";
import { runStoreFor } from "./runStoreFor.js";

const LOG_FILES: Record<StepLogType, string> = {
  input: "input.json",
  output: "output.json",
  events: "events.jsonl",
  summary: "summary.md",
};

/** Steps and the log files the engine writes under `logs/{stepKey}/`. */
export class StepService {
  constructor(private readonly db: DbClient) {}

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
   * One log file. For `events`, `after` skips the first N lines so a tail reads only what
   * is new, and `next_after` says where to continue.
   */
  async log(id: string, type: StepLogType, after = 0): Promise<StepLog> {
    const step = await this.db.workflowRunStep.findUnique({
      where: { id },
      include: { run: { include: { project: true } } },
    });
    if (!step) throw new HttpError("NOT_FOUND", `No step ${id}`);
    const root = step.run.project.path;
    const dir = resolve(
      root,
      step.log_directory_path ?? runStoreFor(root).stepLog(step.workflow_run_id, step.step_id).ref,
    );
    // The path comes from the DB, but never read outside the project.
    if (!dir.startsWith(resolve(root) + sep))
      throw new HttpError("NOT_FOUND", `No logs for step ${id}`);
    const content = await readFile(join(dir, LOG_FILES[type]), "utf8").catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "";
        throw error;
      },
    );
    if (type !== "events") return { type, step_id: id, content };
    // Only complete lines count: a line being written has no newline yet.
    const complete = content.slice(0, content.lastIndexOf("\n") + 1);
    const lines = complete.split("\n").filter((line) => line.length > 0);
    const fresh = lines.slice(after);
    return {
      type,
      step_id: id,
      content: fresh.map((line) => `${line}\n`).join(""),
      next_after: Math.max(after, lines.length),
      events: fresh.map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return { kind: "log", text: line };
        }
      }),
    };
  }
}
