import { existsSync } from "node:fs";
import { type MergeRunBody, mergeRunBodySchema } from "@phaseboard/contracts";
import type { DbClient, WorkflowRunModel } from "@phaseboard/db";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import { postComment } from "../comment/postComment.js";
import type { GitWorkspaces } from "../workspace/GitWorkspaces.js";
import type { WorkspaceHooks } from "../workspace/WorkspaceHooks.js";
import type { RunManager } from "./RunManager.js";

type WorktreeEndListener = (runId: string) => Promise<void>;

/**
 * What happens to a run's git worktree after it is made: its diff, merging or discarding
 * its work, removing it (its branch stays), and branching a child from it. Everything here
 * refuses a run that works in its project folder (`RUN_HAS_NO_WORKTREE`).
 */
export class RunWorktrees {
  #hooks: WorkspaceHooks | undefined;
  readonly #endListeners: Array<{ when: "before" | "after"; listener: WorktreeEndListener }> = [];
  readonly #snapshots = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly manager: RunManager,
    /** Git worktrees for runs; without it every run works in its project folder. */
    readonly workspaces?: GitWorkspaces,
  ) {}

  /** The project's setup command runs in a new worktree, its cleanup before one goes. */
  setWorkspaceHooks(hooks: WorkspaceHooks): void {
    this.#hooks = hooks;
  }

  /**
   * Called when a run's worktree is about to be removed (archive, discard,
   * `ctx.removeRunWorktree`): `before` the project's cleanup command (its preview stops),
   * `after` it (its port block goes back). A listener that throws does not keep the worktree.
   */
  onWorktreeEnd(when: "before" | "after", listener: WorktreeEndListener): void {
    this.#endListeners.push({ when, listener });
  }

  /** Runs the project's setup command in a child run's new worktree. */
  async setup(run: WorkflowRunModel, projectPath: string): Promise<void> {
    await this.#hooks?.setup(run, projectPath);
  }

  /** The end of a worktree: listeners, the project's cleanup command, listeners. */
  async end(run: Parameters<WorkspaceHooks["cleanup"]>[0], projectPath: string): Promise<void> {
    const call = async (when: "before" | "after") => {
      for (const entry of this.#endListeners) {
        if (entry.when === when) await entry.listener(run.id).catch(() => undefined);
      }
    };
    await call("before");
    await this.#hooks?.cleanup(run, projectPath);
    await call("after");
  }

  /** Ends a finished run's worktree as it is archived; its branch stays. */
  async archive(run: WorkflowRunModel, projectPath: string): Promise<void> {
    if (!run.workspace_path) return;
    await this.end(run, projectPath);
    await this.workspaces?.remove(projectPath, run.workspace_path);
  }

  /** The run's changes in its worktree against the commit it started from. */
  async diff(id: string) {
    const run = await this.#require(id);
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
    const { run, project, workspace, workspaces } = await this.#workspaceOf(id, "merge");
    const { commit } = await workspaces.merge({
      projectPath: project.path,
      workspace,
      mode: body.mode,
      message: body.message ?? run.name,
    });
    await this.#comment(
      run,
      `Merged ${workspace.branch} into ${workspace.baseRef} (${body.mode === "ff" ? "fast-forward" : "squash"}) at ${commit.slice(0, 7)}.`,
    );
    return { execution_id: id, mode: body.mode, base_ref: workspace.baseRef, commit };
  }

  /** Removes the run's worktree and its branch: its work is gone (the caller archives it). */
  async discard(id: string): Promise<void> {
    const { run, project, workspace, workspaces } = await this.#workspaceOf(id, "discard");
    // A paused or waiting run is over once its work is gone.
    if (run.status === "paused" || run.status === "waiting") await this.manager.cancel(id);
    await this.end(run, project.path);
    await workspaces.discard(project.path, workspace);
    await this.#comment(run, `Discarded: removed the worktree and the branch ${workspace.branch}.`);
  }

  /** `ctx.removeRunWorktree`: commits what is left on the branch, then removes the worktree. */
  async remove(run: WorkflowRunModel): Promise<void> {
    if (!run.workspace_path || !run.workspace_branch || !this.workspaces) {
      throw new HttpError(
        "RUN_HAS_NO_WORKTREE",
        `Run ${run.id} has no worktree of its own to remove`,
      );
    }
    const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    // The branch is what stays: it must hold the work the agents left uncommitted.
    if (existsSync(run.workspace_path)) {
      await this.workspaces.commitAll(run.workspace_path, `${run.name}: its work`);
    }
    await this.end(run, project.path);
    await this.workspaces.remove(project.path, run.workspace_path);
    await this.#comment(
      run,
      `Removed the worktree; the branch ${run.workspace_branch} keeps its work.`,
    );
  }

  /**
   * Commits the parent's uncommitted work on its branch and names that branch, so a child
   * branched from it starts from everything the parent has done so far. One at a time per
   * parent: children created together must not race on the parent's git index.
   */
  async branchForChild(parentRunId: string): Promise<string> {
    const parent = await this.#require(parentRunId);
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

  async #require(id: string) {
    const run = await this.db.workflowRun.findUnique({ where: { id } });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${id}`);
    return run;
  }

  async #workspaceOf(id: string, action: string) {
    const run = await this.#require(id);
    const workspaces = this.workspaces;
    if (!workspaces || !run.workspace_branch || !run.workspace_path || !run.workspace_base_ref) {
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
      workspaces,
      workspace: {
        path: run.workspace_path,
        branch: run.workspace_branch,
        baseRef: run.workspace_base_ref,
      },
    };
  }

  #comment(run: { id: string; project_id: string }, text: string) {
    return postComment(this.db, this.hub, { run, text, type: "system" });
  }
}
