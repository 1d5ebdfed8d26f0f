import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { WorkflowEvent } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import type { RunManager } from "./RunManager.js";
import { RunTransitionError } from "./runStatusReducer.js";

const ENDED_UNSUCCESSFULLY = ["failed", "cancelled"];

/** A run as the other side of a dependency shows it. */
export interface LinkedRun {
  id: string;
  name: string;
  status: string;
  error_message: string | null;
}

/**
 * Card dependencies: "start this run after those". A run created with `after` (or linked
 * on the board before it started) is `blocked`; it starts by itself once ALL of its
 * prerequisites have completed — never on the first one. A prerequisite that fails or is
 * cancelled leaves it blocked, saying which and why, until someone starts it anyway
 * (resume) or cancels it. Links live in `run_dependencies`, so a restart finds blocked runs
 * as they were, and `recover()` starts those whose prerequisites completed meanwhile.
 */
export class RunDependencies {
  readonly #unsubscribe: () => void;
  /** One settle at a time per run: a completion event and a recovery may ask at once. */
  readonly #settling = new Map<string, Promise<void>>();

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly manager: RunManager,
    private readonly onError: (error: unknown, runId: string) => void = () => undefined,
  ) {
    this.#unsubscribe = hub.subscribe((event) => this.#onEvent(event));
  }

  close(): void {
    this.#unsubscribe();
  }

  /**
   * Checks the prerequisites of `runId` (or of a run about to be created in `projectId`):
   * each must exist in the same project, may not be the run itself, may not have failed or
   * been cancelled, and may not (through other links) wait for the run — a cycle. Answers
   * the distinct ids and whether all of them have completed already.
   *
   * For a new run (`after` in its creation body) a bad id is a validation error of that
   * body (400). For a link to an existing run each refusal is a state conflict (409) with a
   * code of its own, so the board can say exactly why the card was not linked.
   */
  async check(
    projectId: string,
    after: readonly string[],
    runId?: string,
  ): Promise<{ ids: string[]; allCompleted: boolean }> {
    const linking = runId !== undefined;
    const ids = [...new Set(after)];
    if (runId !== undefined && ids.includes(runId)) {
      throw new HttpError("DEPENDENCY_ON_ITSELF", `after: run ${runId} cannot wait for itself`);
    }
    const rows = await this.db.workflowRun.findMany({
      where: { id: { in: ids } },
      select: { id: true, project_id: true, status: true, name: true, error_message: true },
    });
    for (const id of ids) {
      const row = rows.find((candidate) => candidate.id === id);
      if (!row) {
        throw new HttpError(
          linking ? "NOT_FOUND" : "VALIDATION_FAILED",
          `after: no run ${id} in this project`,
        );
      }
      if (row.project_id !== projectId) {
        throw new HttpError(
          linking ? "DEPENDENCY_OTHER_PROJECT" : "VALIDATION_FAILED",
          linking
            ? `after: run ${id} belongs to another project; a run can only wait for runs of its own project`
            : `after: no run ${id} in this project`,
        );
      }
      if (ENDED_UNSUCCESSFULLY.includes(row.status)) {
        throw new HttpError(
          linking ? "PREREQUISITE_ENDED" : "VALIDATION_FAILED",
          `after: run ${id} (${row.name}) has ${row.status === "failed" ? "failed" : "been cancelled"}, so it can never complete; start it again or leave it out`,
        );
      }
    }
    if (runId !== undefined) await this.#refuseCycle(runId, ids);
    return { ids, allCompleted: rows.every((row) => row.status === "completed") };
  }

  /** Walks prerequisites from `ids`: reaching `runId` means the link would close a loop. */
  async #refuseCycle(runId: string, ids: string[]): Promise<void> {
    const seen = new Set<string>();
    let frontier = ids;
    while (frontier.length > 0) {
      if (frontier.includes(runId)) {
        throw new HttpError(
          "DEPENDENCY_CYCLE",
          `after: a dependency cycle — run ${runId} is already a prerequisite of ${ids.join(", ")} (directly or through other runs)`,
        );
      }
      for (const id of frontier) seen.add(id);
      const edges = await this.db.runDependency.findMany({
        where: { run_id: { in: frontier } },
        select: { after_run_id: true },
      });
      frontier = [...new Set(edges.map((edge) => edge.after_run_id))].filter((id) => !seen.has(id));
    }
  }

  /** Records the links of a run just created blocked, then settles it (a prerequisite may have completed meanwhile). */
  async record(runId: string, ids: string[]): Promise<void> {
    await this.db.runDependency.createMany({
      data: ids.map((after_run_id) => ({ run_id: runId, after_run_id })),
    });
    await this.#writeResults(runId);
    await this.#publishLinks(runId);
    await this.settle(runId);
  }

  /** Tells boards the run's full list of prerequisites, so they draw its links. */
  async #publishLinks(runId: string): Promise<void> {
    const [run, links] = await Promise.all([
      this.db.workflowRun.findUniqueOrThrow({ where: { id: runId }, select: { project_id: true } }),
      this.db.runDependency.findMany({
        where: { run_id: runId },
        select: { after_run_id: true },
        orderBy: { created_at: "asc" },
      }),
    ]);
    this.hub.publish({
      type: "workflow.execution.prerequisites_changed",
      data: {
        execution_id: runId,
        project_id: run.project_id,
        after_ids: links.map((link) => link.after_run_id),
      },
    });
  }

  /**
   * What the run reads as `ctx.prerequisites` / `{{ after.<run-name>.result }}`: each
   * prerequisite's id, status and result, by run name, in the run's folder (the engine
   * knows no database). Written again just before a blocked run starts.
   */
  async #writeResults(runId: string): Promise<void> {
    const run = await this.db.workflowRun.findUniqueOrThrow({
      where: { id: runId },
      select: { project: { select: { path: true } } },
    });
    const links = await this.db.runDependency.findMany({
      where: { run_id: runId },
      select: { after_run: { select: { id: true, name: true, status: true, result: true } } },
      orderBy: { created_at: "asc" },
    });
    const byName = Object.fromEntries(
      links.map(({ after_run }) => [
        after_run.name,
        { ...after_run, result: after_run.result ?? null },
      ]),
    );
    const dir = join(run.project.path, ".agent", "workflows", "executions", runId);
    await writeFile(join(dir, "prerequisites.json"), `${JSON.stringify(byName, null, 2)}\n`);
  }

  /**
   * Makes a run that has not started yet wait for more runs (a card dropped on another on
   * the board). A queued run leaves the queue and becomes blocked.
   */
  async link(runId: string, after: readonly string[]) {
    const run = await this.db.workflowRun.findUnique({ where: { id: runId } });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    if (run.status !== "blocked" && !(run.status === "pending" && run.started_at === null)) {
      throw new HttpError(
        "RUN_ALREADY_STARTED",
        `Run ${runId} is ${run.status === "pending" ? "resuming" : run.status}: only a run that has not started can wait for others`,
      );
    }
    const { ids } = await this.check(run.project_id, after, runId);
    const existing = await this.db.runDependency.findMany({
      where: { run_id: runId, after_run_id: { in: ids } },
      select: { after_run_id: true },
    });
    // Linking twice to the same run is not an error: the link is there either way.
    const added = ids.filter((id) => !existing.some((link) => link.after_run_id === id));
    await this.db.runDependency.createMany({
      data: added.map((after_run_id) => ({ run_id: runId, after_run_id })),
    });
    if (run.status === "pending") {
      try {
        await this.manager.block(runId);
      } catch (error) {
        // It started in the meantime: the links would mean nothing, so they go.
        await this.db.runDependency.deleteMany({
          where: { run_id: runId, after_run_id: { in: added } },
        });
        if (error instanceof RunTransitionError) {
          throw new HttpError(
            "RUN_ALREADY_STARTED",
            `Run ${runId} started: it can no longer wait for others`,
          );
        }
        throw error;
      }
    }
    await this.#publishLinks(runId);
    await this.settle(runId);
    return this.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
  }

  /** The runs a run waits for, and the runs waiting for it. */
  async linksOf(runId: string): Promise<{ prerequisites: LinkedRun[]; dependents: LinkedRun[] }> {
    const select = { id: true, name: true, status: true, error_message: true };
    const [before, after] = await Promise.all([
      this.db.runDependency.findMany({
        where: { run_id: runId },
        select: { after_run: { select } },
        orderBy: { created_at: "asc" },
      }),
      this.db.runDependency.findMany({
        where: { after_run_id: runId },
        select: { run: { select } },
        orderBy: { created_at: "asc" },
      }),
    ]);
    return {
      prerequisites: before.map((link) => link.after_run),
      dependents: after.map((link) => link.run),
    };
  }

  /** At start: blocked runs whose prerequisites completed while no server ran go now. */
  async recover(): Promise<void> {
    const blocked = await this.db.workflowRun.findMany({
      where: { status: "blocked" },
      select: { id: true },
      orderBy: { created_at: "asc" },
    });
    for (const run of blocked) await this.settle(run.id);
  }

  /**
   * Starts a blocked run whose prerequisites have all completed; otherwise keeps its
   * `error_message` saying what it waits for, and which prerequisite failed and why.
   */
  settle(runId: string): Promise<void> {
    const previous = this.#settling.get(runId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.#settle(runId))
      .finally(() => {
        if (this.#settling.get(runId) === next) this.#settling.delete(runId);
      });
    this.#settling.set(runId, next);
    return next;
  }

  async #settle(runId: string): Promise<void> {
    const run = await this.db.workflowRun.findUnique({ where: { id: runId } });
    if (run?.status !== "blocked") return;
    const { prerequisites } = await this.linksOf(runId);
    if (prerequisites.every((prerequisite) => prerequisite.status === "completed")) {
      await this.#writeResults(runId);
      await this.manager.unblock(runId);
      return;
    }
    const broken = prerequisites.filter((p) => ENDED_UNSUCCESSFULLY.includes(p.status));
    const waiting = prerequisites.filter((p) => p.status !== "completed");
    const message =
      broken.length > 0
        ? `${broken
            .map(
              (p) =>
                `Prerequisite ${p.name} (${p.id}) ${p.status === "failed" ? "failed" : "was cancelled"}${p.error_message ? `: ${p.error_message}` : ""}`,
            )
            .join("; ")}. Start this run anyway or cancel it.`
        : `Waiting for ${waiting.map((p) => `${p.name} (${p.id})`).join(", ")}`;
    if (message === run.error_message) return;
    await this.db.workflowRun.update({ where: { id: runId }, data: { error_message: message } });
    this.hub.publish({
      type: "workflow.execution.status_changed",
      data: {
        execution_id: runId,
        project_id: run.project_id,
        status: "blocked",
        error_message: message,
      },
    });
  }

  #onEvent(event: WorkflowEvent): void {
    if (event.type !== "workflow.execution.status_changed") return;
    const { status, execution_id } = event.data;
    if (status !== "completed" && !ENDED_UNSUCCESSFULLY.includes(status)) return;
    void this.db.runDependency
      .findMany({ where: { after_run_id: execution_id }, select: { run_id: true } })
      .then(async (links) => {
        for (const link of links) {
          await this.settle(link.run_id).catch((error: unknown) =>
            this.onError(error, link.run_id),
          );
        }
      })
      .catch((error: unknown) => this.onError(error, execution_id));
  }
}
