import {
  type CreateRunBody,
  createRunBodySchema,
  initialRunStatus,
  type listRunsQuerySchema,
  type RunStatus,
  type UpdateRunBody,
} from "@phaseboard/contracts";
import type { DbClient, Prisma } from "@phaseboard/db";
import { generateKeyBetween } from "fractional-indexing";
import type { z } from "zod";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import { postComment } from "../comment/postComment.js";
import { ignoreRunDataOnce } from "../project/ignoreRunData.js";
import {
  PROJECT_BUDGET_REACHED,
  PROJECT_BUDGET_UNKNOWN,
  UsageService,
} from "../usage/UsageService.js";
import type { GitWorkspaces } from "../workspace/GitWorkspaces.js";
import type { DefinitionCatalog } from "./DefinitionCatalog.js";
import { listRunsQuery } from "./listRunsQuery.js";
import type { RunDependencies } from "./RunDependencies.js";
import type { RunManager } from "./RunManager.js";
import type { RunWorktrees } from "./RunWorktrees.js";
import { runStoreFor } from "./runStoreFor.js";
import { validateArgs } from "./validateArgs.js";

/** A run's worktree columns (see prisma/schema.prisma). */
export type WorkspaceColumns = Pick<
  Prisma.WorkflowRunUncheckedCreateInput,
  "workspace_path" | "workspace_branch" | "workspace_base_ref" | "workspace_base_commit"
>;

/**
 * Run records as the API sees them: create, list, read, rename, move and archive. Execution
 * (queue, leases, wake-ups) is the RunManager's, worktrees are RunWorktrees', and what the
 * engine asks of the server is createRunHost's.
 */
export class RunService {
  #dependencies: RunDependencies | undefined;
  readonly #resuming = new Map<string, Promise<string[]>>();

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly catalog: DefinitionCatalog,
    private readonly manager: RunManager,
    /** Worktrees of runs; without git workspaces every run works in its project folder. */
    readonly worktrees: RunWorktrees,
    private readonly usage: UsageService = new UsageService(db),
  ) {}

  /** Git worktrees for runs; undefined when every run works in its project folder. */
  private get workspaces(): GitWorkspaces | undefined {
    return this.worktrees.workspaces;
  }

  /** Card dependencies: runs created with `after` wait for those runs. */
  setDependencies(dependencies: RunDependencies): void {
    this.#dependencies = dependencies;
  }

  /**
   * Runs of the project paused by a budget (their own or the project's, or while the
   * project's file was refused) go on when the budgets now allow it — after
   * `.agent/phaseboard.yaml` raised the project budget or was fixed.
   * Answers the runs resumed.
   */
  resumeBudgetPaused(projectId: string): Promise<string[]> {
    // One pass at a time per project: the file watcher and the API may ask at once.
    const previous = this.#resuming.get(projectId) ?? Promise.resolve([]);
    const next = previous
      .catch(() => [])
      .then(() => this.#resumeBudgetPaused(projectId))
      .finally(() => {
        if (this.#resuming.get(projectId) === next) this.#resuming.delete(projectId);
      });
    this.#resuming.set(projectId, next);
    return next;
  }

  async #resumeBudgetPaused(projectId: string): Promise<string[]> {
    const paused = await this.db.workflowRun.findMany({
      where: {
        project_id: projectId,
        status: "paused",
        OR: [
          { error_message: { startsWith: "Budget reached" } },
          { error_message: { startsWith: PROJECT_BUDGET_REACHED } },
          { error_message: { startsWith: PROJECT_BUDGET_UNKNOWN } },
        ],
      },
      orderBy: { created_at: "asc" },
      select: { id: true },
    });
    const resumed: string[] = [];
    for (const run of paused) {
      if (await this.usage.budgetExceeded(run.id)) continue;
      await this.manager.resume(run.id);
      resumed.push(run.id);
    }
    return resumed;
  }

  /**
   * Validates the args against the template's schema, creates the `pending` row at the top
   * of the first column, snapshots definition.json and args.json, and queues the run.
   */
  async create(
    input: CreateRunBody,
    options: {
      enqueue?: boolean;
      /** A continuation keeps working in its predecessor's worktree. */
      workspaceOf?: WorkspaceColumns;
      /** A child run with a worktree of its own: branched from this (its parent's) branch. */
      branchFrom?: string;
    } = {},
  ) {
    const body = createRunBodySchema.parse(input);
    const project = await this.db.project.findUnique({ where: { id: body.project_id } });
    if (!project) throw new HttpError("NOT_FOUND", `No project ${body.project_id}`);
    const definition = await this.db.workflowDefinition.findUnique({
      where: { id: body.workflow_definition_id },
    });
    if (!definition || definition.project_id !== project.id) {
      throw new HttpError(
        "NOT_FOUND",
        `No workflow definition ${body.workflow_definition_id} in project ${project.id}`,
      );
    }
    if (definition.error) {
      throw new HttpError(
        "TEMPLATE_NOT_LOADED",
        `Template ${definition.identifier} does not load: ${(definition.error as { message?: string }).message}`,
      );
    }
    const template = this.catalog.template(definition.id);
    const args = validateArgs(template.definition, body.args);
    const prerequisites =
      body.after?.length && this.#dependencies
        ? await this.#dependencies.check(project.id, body.after)
        : undefined;
    // Child runs work in their parent's folder unless asked for a worktree of their own
    // (which wins over the template's default), continuations in their predecessor's.
    const wantsWorktree =
      this.workspaces !== undefined &&
      options.workspaceOf === undefined &&
      (options.branchFrom !== undefined ||
        (template.definition.workspace !== "shared" && body.parent_run_id === undefined));
    const inPlace = wantsWorktree ? await this.workspaces?.inPlaceReason(project.path) : undefined;
    if (body.base !== undefined) {
      if (!wantsWorktree || inPlace) {
        throw new HttpError(
          "VALIDATION_FAILED",
          `base: this run has no worktree to start from a base (${inPlace ?? "the template shares the project folder"})`,
        );
      }
      await this.workspaces?.resolveBase(project.path, body.base);
    }
    const firstPhase = template.definition.phases[0] ?? null;
    const top = await this.db.workflowRun.findFirst({
      where: { project_id: project.id, current_phase: firstPhase },
      orderBy: { position: "asc" },
      select: { position: true },
    });
    const run = await this.db.workflowRun.create({
      data: {
        project_id: project.id,
        workflow_definition_id: definition.id,
        parent_run_id: body.parent_run_id ?? null,
        name: body.name ?? definition.name,
        args: args as object,
        current_phase: firstPhase,
        // A run created after others that have not all completed waits for them, blocked.
        status: prerequisites && !prerequisites.allCompleted ? "blocked" : initialRunStatus,
        position: generateKeyBetween(null, top?.position ?? null),
        ...((body.budget ?? template.definition.budget) && {
          budget: (body.budget ?? template.definition.budget) as object,
        }),
        ...options.workspaceOf,
      },
    });
    if (wantsWorktree && !inPlace && this.workspaces) {
      try {
        const workspace = await this.workspaces.create({
          projectPath: project.path,
          runId: run.id,
          name: run.name,
          baseRef: options.branchFrom ?? body.base,
        });
        Object.assign(
          run,
          await this.db.workflowRun.update({
            where: { id: run.id },
            data: {
              workspace_path: workspace.path,
              workspace_branch: workspace.branch,
              workspace_base_ref: workspace.baseRef,
              workspace_base_commit: workspace.baseCommit,
            },
          }),
        );
      } catch (error) {
        // Nothing is left behind: the run never existed.
        await this.db.workflowRun.delete({ where: { id: run.id } });
        throw error;
      }
    }
    // The first run in a repository keeps run data out of its commits.
    await ignoreRunDataOnce(project.path);
    // Pinned at creation: a run queued while its template changes still runs this version.
    // Whole files only: a run picked up at once (recovery at start runs beside this) must
    // never read a half-written one. No fsync: the run's row is the durable record, and
    // creating runs must stay quick.
    runStoreFor(project.path).pinRun(
      run.id,
      {
        snapshot: template.snapshot,
        args,
        ...(template.bundle !== undefined && { bundle: template.bundle }),
      },
      { durable: false },
    );
    this.hub.publish({
      type: "workflow.execution.created",
      data: {
        execution_id: run.id,
        project_id: run.project_id,
        workflow_definition_id: run.workflow_definition_id,
        name: run.name,
        status: run.status as RunStatus,
        current_phase: run.current_phase,
        position: run.position,
        parent_run_id: run.parent_run_id,
      },
    });
    if (prerequisites && this.#dependencies) {
      // Links even to completed runs: the run page lists them, and the run reads their results.
      await this.#dependencies.record(run.id, prerequisites.ids);
      if (run.status === "blocked") return this.require(run.id);
    }
    if (options.enqueue ?? true) void this.manager.enqueue(run.id, "start");
    return run;
  }

  /** Newest first, by a `(created_at, id)` cursor so pages stay stable while runs are added. */
  list(query: z.output<typeof listRunsQuerySchema>) {
    return listRunsQuery(this.db, query);
  }

  async #artifactCounts(runIds: string[]): Promise<Map<string, number>> {
    if (runIds.length === 0) return new Map();
    const rows = await this.db.workflowRunStep.findMany({
      where: { workflow_run_id: { in: runIds }, artifacts: { some: {} } },
      select: { workflow_run_id: true, _count: { select: { artifacts: true } } },
    });
    const counts = new Map<string, number>();
    for (const row of rows) {
      counts.set(
        row.workflow_run_id,
        (counts.get(row.workflow_run_id) ?? 0) + row._count.artifacts,
      );
    }
    return counts;
  }

  async require(id: string) {
    const run = await this.db.workflowRun.findUnique({ where: { id } });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${id}`);
    return run;
  }

  async get(id: string) {
    const run = await this.db.workflowRun.findUnique({
      where: { id },
      include: {
        steps: { orderBy: { sequence: "asc" }, include: { session: true } },
        comments: { orderBy: { created_at: "asc" } },
        definition: true,
        _count: { select: { comments: true, steps: true } },
      },
    });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${id}`);
    const counts = await this.#artifactCounts([id]);
    const links = (await this.#dependencies?.linksOf(id)) ?? { prerequisites: [], dependents: [] };
    const { definition, _count, ...rest } = run;
    return {
      ...rest,
      ...links,
      workflow_definition: definition,
      _count: { ..._count, artifacts: counts.get(id) ?? 0 },
    };
  }

  /** Removes the run's worktree and branch and archives the run. */
  async discard(id: string) {
    await this.worktrees.discard(id);
    return this.update(id, { archived: true });
  }

  /** A comment by Phaseboard itself on the run (merged, discarded, pull request opened…). */
  addSystemComment(run: { id: string; project_id: string }, text: string): Promise<void> {
    return this.#systemComment(run, text);
  }

  async #systemComment(run: { id: string; project_id: string }, text: string) {
    await postComment(this.db, this.hub, { run, text, type: "system" });
  }

  /** Renames, archives, or moves the card within its column (rewrites only this row). */
  async update(id: string, body: UpdateRunBody) {
    const run = await this.require(id);
    if (body.archived && run.workspace_path && !run.archived_at) {
      // Archiving ends the run's worktree (its branch stays): only once the run is over.
      if (!["completed", "failed", "cancelled"].includes(run.status)) {
        throw new HttpError(
          "RUN_STILL_ACTIVE",
          `Run ${id} is ${run.status}: cancel it or let it finish before archiving it and its worktree`,
        );
      }
      const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
      await this.worktrees.archive(run, project.path);
    }
    let position = body.position;
    if (!position && (body.after_id !== undefined || body.before_id !== undefined)) {
      const neighbour = async (neighbourId: string | null | undefined, field: string) => {
        if (!neighbourId) return null;
        const row = await this.db.workflowRun.findUnique({ where: { id: neighbourId } });
        if (!row || row.project_id !== run.project_id) {
          throw new HttpError(
            "VALIDATION_FAILED",
            `${field}: no run ${neighbourId} in this project`,
          );
        }
        return row.position;
      };
      const after = await neighbour(body.after_id, "after_id");
      const before = await neighbour(body.before_id, "before_id");
      try {
        position = generateKeyBetween(after, before);
      } catch {
        throw new HttpError("VALIDATION_FAILED", "after_id: must be above before_id in the column");
      }
    }
    const updated = await this.db.workflowRun.update({
      where: { id },
      data: {
        ...(body.name && { name: body.name }),
        ...(position && { position }),
        ...(body.archived !== undefined && { archived_at: body.archived ? new Date() : null }),
        ...(body.budget && { budget: body.budget }),
      },
    });
    // Raised far enough: a run its budget paused goes on.
    if (
      body.budget &&
      updated.status === "paused" &&
      (updated.error_message?.startsWith("Budget reached") ||
        updated.error_message?.startsWith(PROJECT_BUDGET_REACHED)) &&
      !(await this.usage.budgetExceeded(id))
    ) {
      await this.db.workflowRun.update({ where: { id }, data: { error_message: null } });
      await this.manager.resume(id);
    }
    this.hub.publish({
      type: "workflow.execution.updated",
      data: {
        execution_id: id,
        project_id: updated.project_id,
        name: updated.name,
        position: updated.position,
        archived: updated.archived_at !== null,
      },
    });
    return updated;
  }

  async state(id: string) {
    const run = await this.require(id);
    return {
      execution_id: run.id,
      status: run.status as RunStatus,
      current_phase: run.current_phase,
      state: run.state as Record<string, unknown> | null,
    };
  }
}
