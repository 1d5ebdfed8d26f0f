import { type DbClient, Prisma } from "@phaseboard/db";
import { RunEndedError, type RunHost } from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import { postComment } from "../comment/postComment.js";
import type { UsageService } from "../usage/UsageService.js";
import type { DefinitionCatalog } from "./DefinitionCatalog.js";
import type { RunManager } from "./RunManager.js";
import type { RunService, WorkspaceColumns } from "./RunService.js";
import type { RunWorktrees } from "./RunWorktrees.js";

/** What the engine host of a project is made from: the server's run domain. */
export interface RunHostParts {
  db: DbClient;
  hub: EventHub;
  catalog: DefinitionCatalog;
  runs: RunService;
  worktrees: RunWorktrees;
  manager: RunManager;
  usage: UsageService;
}

/**
 * The engine hosts of the server's projects. The PullRequests domain, which `type:
 * pull-request` steps open through, is built after the run domain (it needs it), so its
 * opener is handed in here once it exists.
 */
export class RunHosts {
  #openPullRequest: RunHost["openPullRequest"];

  constructor(private readonly parts: RunHostParts) {}

  setPullRequestOpener(opener: NonNullable<RunHost["openPullRequest"]>): void {
    this.#openPullRequest = opener;
  }

  /** The host the executor of a run of `projectId` is given. */
  for(projectId: string): RunHost {
    return createRunHost(projectId, this.parts, () => this.#openPullRequest);
  }
}

/**
 * The engine host adapter: what the executor asks of the server for one project —
 * templates by name, identifier or path (`ctx.run`), records for child and successor runs
 * (their own cards), diffs, merges, pull requests and worktrees of the project's runs,
 * budget checks before agent steps, and signals to other runs. Every run it touches must
 * belong to `projectId`.
 */
export function createRunHost(
  projectId: string,
  parts: RunHostParts,
  pullRequestOpener: () => RunHost["openPullRequest"] = () => undefined,
): RunHost {
  const { db, hub, catalog, runs, worktrees, manager, usage } = parts;
  const find = async (reference: string) => {
    const definitions = await db.workflowDefinition.findMany({
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
  const inProject = async (runId: string) => {
    const run = await runs.require(runId);
    if (run.project_id !== projectId) {
      throw new HttpError("NOT_FOUND", `No workflow run ${runId} in project ${projectId}`);
    }
    return run;
  };
  return {
    loadTemplate: async (reference) => catalog.template((await find(reference)).id),
    createChildRun: async ({ parentRunId, template, args, name, workspace }) => {
      const definition = await find(template.identifier);
      const branchFrom =
        workspace === "own" ? await worktrees.branchForChild(parentRunId) : undefined;
      // The parent's executor drives its child: the manager must not start it too.
      const run = await runs.create(
        {
          project_id: projectId,
          workflow_definition_id: definition.id,
          args,
          name,
          parent_run_id: parentRunId,
        },
        { enqueue: false, ...(branchFrom !== undefined && { branchFrom }) },
      );
      if (run.workspace_path) {
        // A worktree of its own is prepared like any run's (`pnpm install`…) before the
        // parent's executor starts the child in it; a failed setup fails the child's card.
        const project = await db.project.findUniqueOrThrow({ where: { id: projectId } });
        try {
          await worktrees.setup(run, project.path);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          await manager.dispatch(run.id, { type: "fail", at: new Date(), message });
          throw error;
        }
      }
      return { runId: run.id, ...(run.workspace_path && { workdir: run.workspace_path }) };
    },
    diffOfRun: async (runId) => {
      await inProject(runId);
      const diff = await worktrees.diff(runId);
      return {
        runId,
        branch: diff.branch,
        baseRef: diff.base_ref,
        files: diff.files,
        patch: diff.patch,
      };
    },
    mergeRun: async (runId, options) => {
      await inProject(runId);
      const { commit } = await worktrees.merge(runId, options);
      return { commit };
    },
    openPullRequest: async (input) => {
      await inProject(input.runId);
      const open = pullRequestOpener();
      if (!open) {
        throw new HttpError(
          "PULL_REQUEST_UNAVAILABLE",
          "This server cannot open pull requests (it has no worktrees)",
        );
      }
      return open(input);
    },
    removeRunWorktree: async (runId) => worktrees.remove(await inProject(runId)),
    beforeAgentStep: async ({ runId }) => {
      const reason = await usage.budgetExceeded(runId);
      if (!reason) return undefined;
      const run = await db.workflowRun.update({
        where: { id: runId },
        data: { error_message: reason },
      });
      await postComment(db, hub, { run, text: reason, type: "system" });
      return { pause: reason };
    },
    signalRuns: async ({ fromRunId, template, name, payload }) => {
      const definition = await find(template);
      const receivers = await db.workflowRun.findMany({
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
      for (const run of receivers) {
        try {
          runIds.push((await manager.signal(run.id, name, payload)).id);
        } catch (error) {
          // Ended since the query (its last step just finished): not a receiver any more.
          if (!(error instanceof RunEndedError)) throw error;
        }
      }
      return { runIds };
    },
    createContinuationRun: async ({ previousRunId, args }) => {
      const previous = await runs.require(previousRunId);
      const workspaceOf: WorkspaceColumns = {
        workspace_path: previous.workspace_path,
        workspace_branch: previous.workspace_branch,
        workspace_base_ref: previous.workspace_base_ref,
        workspace_base_commit: previous.workspace_base_commit,
      };
      // The executor starts the successor itself; a restart recovers it like any run.
      const run = await runs.create(
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
