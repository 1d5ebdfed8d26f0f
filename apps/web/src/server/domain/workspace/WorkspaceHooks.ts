import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { DbClient } from "@phaseboard/db";
import { durationToMs, runPaths } from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { postComment } from "../comment/postComment.js";
import type { ProjectConfigs } from "../project/ProjectConfigs.js";
import { runWorkspaceCommand, type WorkspaceCommandResult } from "./runWorkspaceCommand.js";
import { WorkspaceSetupFailedError } from "./WorkspaceSetupFailedError.js";

/** How long setup may take when `setup_timeout` is not given (ms). */
export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;
/** How long cleanup may take (ms): it must never hold up archiving for long. */
export const CLEANUP_TIMEOUT_MS = 2 * 60_000;

interface RunRow {
  id: string;
  project_id: string;
  workspace_path: string | null;
  created_at: Date;
}

/**
 * The project's `workspace.setup` and `workspace.cleanup` commands from
 * `.agent/phaseboard.yaml`, run in a run's own worktree. Setup runs once, when the run
 * first starts executing — a marker file in the run's folder keeps a resume or a restart
 * from repeating it — and its output is kept in `workspace-setup.log` there. Cleanup runs
 * before the worktree is removed; when it fails the removal still goes ahead.
 */
export class WorkspaceHooks {
  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly configs: ProjectConfigs,
  ) {}

  /** Where setup's output and its done-marker live. */
  static paths(projectPath: string, runId: string) {
    const root = runPaths(projectPath, runId).root;
    return {
      log: join(root, "workspace-setup.log"),
      cleanupLog: join(root, "workspace-cleanup.log"),
      marker: join(root, "workspace-setup.json"),
    };
  }

  /**
   * Prepares the run's worktree before its first step. Throws WorkspaceSetupFailedError,
   * naming the command and how it ended, when setup fails or the config is refused.
   */
  async setup(run: RunRow, projectPath: string, signal?: AbortSignal): Promise<void> {
    // No worktree of its own (in place, shared, or a child run in its parent's folder).
    if (!run.workspace_path) return;
    const paths = WorkspaceHooks.paths(projectPath, run.id);
    if (existsSync(paths.marker)) return;
    // Continuations keep working in a worktree their first run already set up.
    const sharedWith = await this.db.workflowRun.findFirst({
      where: {
        workspace_path: run.workspace_path,
        id: { not: run.id },
        created_at: { lte: run.created_at },
      },
      select: { id: true },
    });
    if (sharedWith) return;
    // A run that already ran steps (started before setup existed) is past setting up.
    if ((await this.db.workflowRunStep.count({ where: { workflow_run_id: run.id } })) > 0) return;
    const { config, error } = this.configs.get(projectPath);
    if (error) {
      throw new WorkspaceSetupFailedError(
        `Workspace setup: .agent/phaseboard.yaml is refused (${error.message}); fix it and run again`,
      );
    }
    const command = config?.workspace?.setup;
    if (command) {
      const timeoutMs =
        config?.workspace?.setup_timeout === undefined
          ? DEFAULT_SETUP_TIMEOUT_MS
          : durationToMs(config.workspace.setup_timeout);
      const started = Date.now();
      const result = await runWorkspaceCommand({
        command,
        cwd: run.workspace_path,
        logFile: paths.log,
        timeoutMs,
        env: this.#env(run, projectPath),
        ...(signal && { signal }),
      });
      // Stopped by a shutdown or a pause: not a failure, and not done — the next start repeats it.
      if (signal?.aborted) throw signal.reason ?? new Error("Workspace setup was interrupted");
      const log = relative(projectPath, paths.log);
      if (result.exitCode !== 0) {
        const message = `Workspace setup failed: \`${result.display}\` ${ending(result, timeoutMs)} (output in ${log})`;
        await this.#comment(run, `${message}\n\n${fenced(result.tail)}`);
        throw new WorkspaceSetupFailedError(message);
      }
      await this.#comment(
        run,
        `Workspace setup \`${result.display}\` finished in ${((Date.now() - started) / 1000).toFixed(1)} s (output in ${log}).`,
      );
    }
    await writeFile(
      paths.marker,
      JSON.stringify({ command: command ?? null, finished_at: new Date().toISOString() }),
    );
  }

  /**
   * Runs `workspace.cleanup` in the worktree about to be removed. Never throws: a failing
   * cleanup is logged (a system comment and `workspace-cleanup.log`) and removal goes on.
   */
  async cleanup(run: RunRow, projectPath: string): Promise<void> {
    if (!run.workspace_path || !existsSync(run.workspace_path)) return;
    const command = this.configs.get(projectPath).config?.workspace?.cleanup;
    if (!command) return;
    const paths = WorkspaceHooks.paths(projectPath, run.id);
    try {
      const result = await runWorkspaceCommand({
        command,
        cwd: run.workspace_path,
        logFile: paths.cleanupLog,
        timeoutMs: CLEANUP_TIMEOUT_MS,
        env: this.#env(run, projectPath),
      });
      if (result.exitCode !== 0) {
        await this.#comment(
          run,
          `Workspace cleanup \`${result.display}\` ${ending(result, CLEANUP_TIMEOUT_MS)}; the worktree was removed anyway (output in ${relative(projectPath, paths.cleanupLog)}).\n\n${fenced(result.tail)}`,
        );
      }
    } catch (error) {
      await this.#comment(
        run,
        `Workspace cleanup could not run: ${error instanceof Error ? error.message : String(error)}; the worktree was removed anyway.`,
      ).catch(() => undefined);
    }
  }

  #env(run: RunRow, projectPath: string): Record<string, string> {
    return {
      PHASEBOARD_RUN_ID: run.id,
      PHASEBOARD_PROJECT_PATH: projectPath,
      PHASEBOARD_WORKSPACE: run.workspace_path ?? projectPath,
    };
  }

  async #comment(run: RunRow, text: string): Promise<void> {
    await postComment(this.db, this.hub, { run, text, type: "system" });
  }
}

function ending(result: WorkspaceCommandResult, timeoutMs: number): string {
  if (result.spawnError) return `could not start (${result.spawnError})`;
  if (result.timedOut) {
    return `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`;
  }
  return result.exitCode === null ? "was killed" : `exited with code ${result.exitCode}`;
}

/** The output's tail as a Markdown code block (the run page renders comments as Markdown). */
function fenced(tail: string): string {
  const text = tail.trimEnd() || "(no output)";
  return `\`\`\`\n${text.replaceAll("```", "ʼʼʼ")}\n\`\`\``;
}
