import { existsSync } from "node:fs";
import {
  type CreateRunBody,
  createRunBodySchema,
  initialRunStatus,
  type listRunsQuerySchema,
  type MergeRunBody,
  mergeRunBodySchema,
  type RunStatus,
  type UpdateRunBody,
} from "@phaseboard/contracts";
import { type DbClient, Prisma } from "@phaseboard/db";
import { RunEndedError, type RunHost } from "@phaseboard/workflow-engine";
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
import type { WorkspaceHooks } from "../workspace/WorkspaceHooks.js";
import type { DefinitionCatalog } from "./DefinitionCatalog.js";
import { listRunsQuery } from "./listRunsQuery.js";
import type { RunDependencies } from "./RunDependencies.js";
import type { RunManager } from "./RunManager.js";
import { runStoreFor } from "./runStoreFor.js";
import { validateArgs } from "./validateArgs.js";

/** A run's worktree columns (see prisma/schema.prisma). */
export type WorkspaceColumns = Pick<
  Prisma.WorkflowRunUncheckedCreateInput,
  "workspace_path" | "workspace_branch" | "workspace_base_ref" | "workspace_base_commit"
>;

/** Runs as the API sees them: create, list, read, move. Execution is the RunManager's. */
export class RunService {
  #hooks: WorkspaceHooks | undefined;
  #dependencies: RunDependencies | undefined;
  readonly #resuming = new Map<string, Promise<string[]>>();

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly catalog: DefinitionCatalog,
    private readonly manager: RunManager,
    /** Git worktrees for runs; without it every run works in its project folder. */
    private readonly workspaces?: GitWorkspaces,
    private readonly usage: UsageService = new UsageService(db),
  ) {}

  /** The project's cleanup command runs in a worktree before it is removed. */
  setWorkspaceHooks(hooks: WorkspaceHooks): void {
    this.#hooks = hooks;
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

  /**
   * What the executor asks of the server for one project: templates by name, identifier
   * or path (`ctx.run`), and records for child and successor runs (their own cards).
   */
  hostFor(projectId: string): RunHost {
    const find = async (reference: string) => {
      const definitions = await this.db.workflowDefinition.findMany({
        where: { project_id: projectId, error: { equals: Prisma.DbNull } },
      });
      const match = definitions.find(
        (row) =>
          row.id === reference ||
          row.identifier === reference ||
          row.name === reference ||
          row.path === reference ||
          row.path.endsWith(`/${reference}`),
      );
      if (!match)
        throw new HttpError("NOT_FOUND", `No template ${reference} in project ${projectId}`);
      return match;
    };
    return {
      loadTemplate: async (reference) => this.catalog.template((await find(reference)).id),
      createChildRun: async ({ parentRunId, template, args, name, workspace }) => {
        const definition = await find(template.identifier);
        const branchFrom =
          workspace === "own" ? await this.#snapshotForChild(parentRunId) : undefined;
        // The parent's executor drives its child: the manager must not start it too.
        const run = await this.create(
          {
            project_id: projectId,
            workflow_definition_id: definition.id,
            args,
            name,
            parent_run_id: parentRunId,
          },
          { enqueue: false, ...(branchFrom !== undefined && { branchFrom }) },
        );
        if (run.workspace_path && this.#hooks) {
          // A worktree of its own is prepared like any run's (`pnpm install`…) before the
          // parent's executor starts the child in it; a failed setup fails the child's card.
          const project = await this.db.project.findUniqueOrThrow({ where: { id: projectId } });
          try {
            await this.#hooks.setup(run, project.path);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            await this.manager.dispatch(run.id, { type: "fail", at: new Date(), message });
            throw error;
          }
        }
        return { runId: run.id, ...(run.workspace_path && { workdir: run.workspace_path }) };
      },
      diffOfRun: async (runId) => {
        await this.#inProject(runId, projectId);
        const diff = await this.diff(runId);
        return {
          runId,
          branch: diff.branch,
          baseRef: diff.base_ref,
          files: diff.files,
          patch: diff.patch,
        };
      },
      mergeRun: async (runId, options) => {
        await this.#inProject(runId, projectId);
        const { commit } = await this.merge(runId, options);
        return { commit };
      },
      removeRunWorktree: async (runId) => {
        const run = await this.#inProject(runId, projectId);
        if (!run.workspace_path || !run.workspace_branch || !this.workspaces) {
          throw new HttpError(
            "RUN_HAS_NO_WORKTREE",
            `Run ${runId} has no worktree of its own to remove`,
          );
        }
        const project = await this.db.project.findUniqueOrThrow({ where: { id: projectId } });
        // The branch is what stays: it must hold the work the agents left uncommitted.
        if (existsSync(run.workspace_path)) {
          await this.workspaces.commitAll(run.workspace_path, `${run.name}: its work`);
        }
        await this.#hooks?.cleanup(run, project.path);
        await this.workspaces.remove(project.path, run.workspace_path);
        await this.#systemComment(
          run,
          `Removed the worktree; the branch ${run.workspace_branch} keeps its work.`,
        );
      },
      beforeAgentStep: async ({ runId }) => {
        const reason = await this.usage.budgetExceeded(runId);
        if (!reason) return undefined;
        const run = await this.db.workflowRun.update({
          where: { id: runId },
          data: { error_message: reason },
        });
        await this.#systemComment(run, reason);
        return { pause: reason };
      },
      signalRuns: async ({ fromRunId, template, name, payload }) => {
        const definition = await find(template);
        const runs = await this.db.workflowRun.findMany({
          where: {
            project_id: projectId,
            workflow_definition_id: definition.id,
            status: { in: ["pending", "running", "waiting", "paused"] },
            id: { not: fromRunId },
          },
          select: { id: true },
          orderBy: { created_at: "asc" },
        });
        const runIds: string[] = [];
        for (const run of runs) {
          try {
            runIds.push((await this.manager.signal(run.id, name, payload)).id);
          } catch (error) {
            // Ended since the query (its last step just finished): not a receiver any more.
            if (!(error instanceof RunEndedError)) throw error;
          }
        }
        return { runIds };
      },
      createContinuationRun: async ({ previousRunId, args }) => {
        const previous = await this.require(previousRunId);
        const workspaceOf: WorkspaceColumns = {
          workspace_path: previous.workspace_path,
          workspace_branch: previous.workspace_branch,
          workspace_base_ref: previous.workspace_base_ref,
          workspace_base_commit: previous.workspace_base_commit,
        };
        // The executor starts the successor itself; a restart recovers it like any run.
        const run = await this.create(
          {
            project_id: projectId,
            workflow_definition_id: previous.workflow_definition_id,
            args,
            name: previous.name,
          },
          { enqueue: false, workspaceOf },
        );
        return { runId: run.id };
      },
    };
  }

  /**
   * Commits the parent's uncommitted work on its branch and names that branch, so a child
   * branched from it starts from everything the parent has done so far. One at a time per
   * parent: children created together must not race on the parent's git index.
   */
  async #snapshotForChild(parentRunId: string): Promise<string> {
    const parent = await this.require(parentRunId);
    if (!this.workspaces || !parent.workspace_path || !parent.workspace_branch) {
      throw new HttpError(
        "RUN_HAS_NO_WORKTREE",
        `workspace "own": run ${parentRunId} works in its project folder, so its child runs cannot branch from a worktree of its own; let the parent run in a worktree (not workspace: shared) in a git repository`,
      );
    }
    const workspaces = this.workspaces;
    const path = parent.workspace_path;
    const previous = this.#snapshots.get(parentRunId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => workspaces.commitAll(path, `${parent.name}: work so far, for its child runs`));
    this.#snapshots.set(parentRunId, next);
    try {
      await next;
    } finally {
      if (this.#snapshots.get(parentRunId) === next) this.#snapshots.delete(parentRunId);
    }
    return parent.workspace_branch;
  }

  #snapshots = new Map<string, Promise<unknown>>();

  async #inProject(runId: string, projectId: string) {
    const run = await this.require(runId);
    if (run.project_id !== projectId) {
      throw new HttpError("NOT_FOUND", `No workflow run ${runId} in project ${projectId}`);
    }
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

  /** The run's changes in its worktree against the commit it started from. */
  async diff(id: string) {
    const run = await this.require(id);
    if (!run.workspace_path || !run.workspace_base_commit || !this.workspaces) {
      throw new HttpError(
        "RUN_HAS_NO_WORKTREE",
        `Run ${id} works in its project folder: it has no worktree, so no diff of its own`,
      );
    }
    if (!existsSync(run.workspace_path)) {
      throw new HttpError(
        "WORKTREE_REMOVED",
        `Run ${id}'s worktree was removed (its branch ${run.workspace_branch} remains)`,
      );
    }
    const { files, patch } = await this.workspaces.diff({
      path: run.workspace_path,
      baseCommit: run.workspace_base_commit,
    });
    return {
      execution_id: id,
      branch: run.workspace_branch ?? "",
      base_ref: run.workspace_base_ref ?? run.workspace_base_commit,
      base_commit: run.workspace_base_commit,
      files,
      patch,
    };
  }

  /** Merges the run's branch into its base branch in the project's checkout. */
  async merge(id: string, input: MergeRunBody) {
    const body = mergeRunBodySchema.parse(input);
    const { run, project, workspace } = await this.#workspaceOf(id, "merge");
    const { commit } = await (this.workspaces as GitWorkspaces).merge({
      projectPath: project.path,
      workspace,
      mode: body.mode,
      message: body.message ?? run.name,
    });
    await this.#systemComment(
      run,
      `Merged ${workspace.branch} into ${workspace.baseRef} (${body.mode === "ff" ? "fast-forward" : "squash"}) at ${commit.slice(0, 7)}.`,
    );
    return { execution_id: id, mode: body.mode, base_ref: workspace.baseRef, commit };
  }

  /** Removes the run's worktree and branch and archives the run. */
  async discard(id: string) {
    const { run, project, workspace } = await this.#workspaceOf(id, "discard");
    // A paused or waiting run is over once its work is gone.
    if (run.status === "paused" || run.status === "waiting") await this.manager.cancel(id);
    await this.#hooks?.cleanup(run, project.path);
    await (this.workspaces as GitWorkspaces).discard(project.path, workspace);
    await this.#systemComment(
      run,
      `Discarded: removed the worktree and the branch ${workspace.branch}.`,
    );
    return this.update(id, { archived: true });
  }

  async #workspaceOf(id: string, action: string) {
    const run = await this.require(id);
    if (
      !this.workspaces ||
      !run.workspace_branch ||
      !run.workspace_path ||
      !run.workspace_base_ref
    ) {
      throw new HttpError(
        "RUN_HAS_NO_WORKTREE",
        `Run ${id} has no worktree of its own to ${action}`,
      );
    }
    if (run.status === "running" || run.status === "pending") {
      throw new HttpError(
        "RUN_STILL_ACTIVE",
        `Run ${id} is ${run.status}: pause it or let it finish before you ${action} its work`,
      );
    }
    const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    return {
      run,
      project,
      workspace: {
        path: run.workspace_path,
        branch: run.workspace_branch,
        baseRef: run.workspace_base_ref,
      },
    };
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
      await this.#hooks?.cleanup(run, project.path);
      await this.workspaces?.remove(project.path, run.workspace_path);
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
