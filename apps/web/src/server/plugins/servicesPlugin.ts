import { join } from "node:path";
import { type AgentRunner, runAgent } from "@phaseboard/agent-cli";
import type { DbClient } from "@phaseboard/db";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ArtifactService } from "../domain/artifact/ArtifactService.js";
import { CommentService } from "../domain/comment/CommentService.js";
import { Previews, type PreviewsOptions } from "../domain/preview/Previews.js";
import { ProjectConfigs } from "../domain/project/ProjectConfigs.js";
import { ProjectService } from "../domain/project/ProjectService.js";
import { ReviewFollowUps } from "../domain/review/ReviewFollowUps.js";
import { UsageService } from "../domain/usage/UsageService.js";
import { RunHosts } from "../domain/workflow/createRunHost.js";
import { DefinitionCatalog } from "../domain/workflow/DefinitionCatalog.js";
import { RunDependencies } from "../domain/workflow/RunDependencies.js";
import { type ExecutorFactory, RunManager } from "../domain/workflow/RunManager.js";
import { RunService } from "../domain/workflow/RunService.js";
import { RunWorktrees } from "../domain/workflow/RunWorktrees.js";
import { StepService } from "../domain/workflow/StepService.js";
import { systemProjectDir, TemplateBuilds } from "../domain/workflow/TemplateBuilds.js";
import type { TemplateLoader } from "../domain/workflow/TemplateLoader.js";
import { TriggerScheduler } from "../domain/workflow/TriggerScheduler.js";
import { GitWorkspaces } from "../domain/workspace/GitWorkspaces.js";
import { PortBlocks, type PortRange } from "../domain/workspace/PortBlocks.js";
import { WorkspaceHooks } from "../domain/workspace/WorkspaceHooks.js";
import type { EventHub } from "../events/EventHub.js";
import { AgentApprovals } from "../mcp/AgentApprovals.js";

export interface Services {
  hub: EventHub;
  projects: ProjectService;
  catalog: DefinitionCatalog;
  manager: RunManager;
  runs: RunService;
  /** Runs' git worktrees: diff, merge, discard, remove, and their end's listeners. */
  worktrees: RunWorktrees;
  /** What each project's runs ask of the server (the engine host adapter). */
  hosts: RunHosts;
  steps: StepService;
  comments: CommentService;
  artifacts: ArtifactService;
  triggers: TriggerScheduler;
  usage: UsageService;
  /** Review comments sent back to a run's agent as follow-up steps. */
  reviews: ReviewFollowUps;
  /** Each project's `.agent/phaseboard.yaml`. */
  configs: ProjectConfigs;
  /** Builds changed templates with the Build Workflow; absent when builds are off. */
  builds: TemplateBuilds | undefined;
  /** Card dependencies: blocked runs that start when the runs they wait for completed. */
  dependencies: RunDependencies;
  /** Each run's block of ports (PHASEBOARD_PORT), held while its worktree exists. */
  ports: PortBlocks;
  /** Runs' dev-server previews. */
  previews: Previews;
  /** Approvals agents ask for from inside their steps (the request_approval MCP tool). */
  approvals: AgentApprovals;
}

declare module "fastify" {
  interface FastifyInstance {
    services: Services;
  }
}

export interface ServicesOptions {
  db: DbClient;
  hub: EventHub;
  loader: TemplateLoader;
  executorFactory?: ExecutorFactory | undefined;
  concurrency?: number | undefined;
  leaseMs?: number | undefined;
  heartbeatIntervalMs?: number | undefined;
  /** Schedule the templates' cron triggers (default true; off in the CLI's embedded server). */
  triggers?: boolean | undefined;
  /** `$PHASEBOARD_HOME`: runs get git worktrees under it (without it, runs work in place). */
  home?: string | undefined;
  /** `$PHASEBOARD_HOME`, where the System project lives; with it, changed templates are built. */
  buildsHome?: string | undefined;
  /** Runs review follow-ups (default: agent-cli's runAgent, the real CLIs). */
  runAgent?: AgentRunner | undefined;
  /** Where runs' port blocks come from (default 20000-29999, 10 per run). */
  ports?: PortRange | undefined;
  previews?: PreviewsOptions | undefined;
}

/**
 * The domain services, built once and shared with every route plugin. Closing the app
 * stops watchers and cron jobs, then parks running runs (see RunManager.shutdown).
 */
export const servicesPlugin = fp(
  async (app: FastifyInstance, options: ServicesOptions) => {
    const { db, hub } = options;
    const catalog = new DefinitionCatalog(db, options.loader);
    const manager = new RunManager({
      db,
      hub,
      catalog,
      executorFactory: options.executorFactory,
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      // Build Workflow runs (the System board) execute in a lane of their own.
      ...(options.buildsHome && { systemProjectPath: systemProjectDir(options.buildsHome) }),
      ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
      ...(options.heartbeatIntervalMs !== undefined && {
        heartbeatIntervalMs: options.heartbeatIntervalMs,
      }),
    });
    const workspaces = options.home
      ? new GitWorkspaces(join(options.home, "worktrees"))
      : undefined;
    const configs = new ProjectConfigs();
    const usage = new UsageService(db, configs);
    const worktrees = new RunWorktrees(db, hub, manager, workspaces);
    const runs = new RunService(db, hub, catalog, manager, worktrees, usage);
    const hosts = new RunHosts({ db, hub, catalog, runs, worktrees, manager, usage });
    manager.setHostFactory((projectId) => hosts.for(projectId));
    const dependencies = new RunDependencies(db, hub, manager, (error, runId) =>
      app.log.warn({ err: error, runId }, "could not start a run whose prerequisites ended"),
    );
    runs.setDependencies(dependencies);
    const approvals = new AgentApprovals(db, hub);
    const reviews = new ReviewFollowUps(
      db,
      hub,
      workspaces,
      usage,
      options.runAgent ?? runAgent,
      (projectId) => catalog.agents.declarations(projectId),
    );
    const ports = new PortBlocks(db, options.ports);
    const runEnvironment = (runId: string, existing = false) => ports.environment(runId, existing);
    manager.setRunEnvironment((runId) => runEnvironment(runId));
    const previews = new Previews(db, hub, configs, ports, options.previews);
    // A worktree going away takes its preview and its ports with it.
    worktrees.onWorktreeEnd("before", async (runId) => {
      await previews.stop(runId, "stopped: the run's worktree was removed");
    });
    worktrees.onWorktreeEnd("after", (runId) => ports.release(runId));
    const hooks = new WorkspaceHooks(db, hub, configs, runEnvironment);
    manager.setWorkspaceHooks(hooks);
    worktrees.setWorkspaceHooks(hooks);
    const triggers = new TriggerScheduler(db, runs, app.log);
    // A project's `.agent/phaseboard.yaml` is watched from its first sync on: a change
    // refreshes the board (its config banner) and lets runs a raised budget allows go on.
    const watchConfig = async (projectId: string) => {
      const project = await db.project.findUnique({ where: { id: projectId } });
      if (!project) return;
      configs.watch(project.path, () => {
        hub.publish({ type: "workflow.definitions.changed", data: { project_id: projectId } });
        void runs.resumeBudgetPaused(projectId).catch((error: unknown) => {
          app.log.warn({ err: error, projectId }, "could not resume runs paused by budget");
        });
      });
    };
    catalog.onSynced((projectId) => {
      if (options.triggers !== false) void triggers.schedule(projectId);
      hub.publish({ type: "workflow.definitions.changed", data: { project_id: projectId } });
      void watchConfig(projectId).catch(() => undefined);
    });
    app.decorate("services", {
      hub,
      projects: new ProjectService(db, workspaces, configs),
      catalog,
      manager,
      runs,
      worktrees,
      hosts,
      steps: new StepService(db),
      comments: new CommentService(db, hub),
      artifacts: new ArtifactService(db, hub),
      triggers,
      usage,
      reviews,
      configs,
      builds: options.buildsHome
        ? new TemplateBuilds(db, catalog, runs, options.buildsHome)
        : undefined,
      dependencies,
      ports,
      previews,
      approvals,
    });
    // Previews a crashed server left running: their groups end before anything else starts.
    app.addHook("onReady", async () => {
      const reaped = await previews.reapLeftovers().catch((error: unknown) => {
        app.log.warn({ err: error }, "could not end previews a previous server left running");
        return 0;
      });
      if (reaped > 0) app.log.info({ reaped }, "ended previews a previous server left running");
    });
    app.addHook("onClose", async () => {
      catalog.close();
      configs.close();
      dependencies.close();
      approvals.close();
      triggers.stop();
      await Promise.all([manager.shutdown(), reviews.close(), previews.stopAll()]);
    });
  },
  { name: "services", dependencies: ["database"] },
);
