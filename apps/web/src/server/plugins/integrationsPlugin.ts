import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { PullRequests } from "../domain/pullRequest/PullRequests.js";
import { GitWorkspaces } from "../domain/workspace/GitWorkspaces.js";

/** What connects runs to the world outside: pull requests, notifications. */
export interface Integrations {
  pullRequests: PullRequests;
}

declare module "fastify" {
  interface FastifyInstance {
    integrations: Integrations;
  }
}

export interface IntegrationsOptions {
  /** `$PHASEBOARD_HOME`: runs have worktrees under it (without it, no pull requests). */
  home?: string | undefined;
  /** How often open pull requests are read again (ms, default 60 s; 0: never). */
  pullRequestRefreshMs?: number | undefined;
  /** The environment `gh`/`glab` are found in and run with (default: the server's). */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Pull requests from runs' branches and their background refresh. Closing the app stops
 * the refresh and waits for a pass in flight.
 */
export const integrationsPlugin = fp(
  async (app: FastifyInstance, options: IntegrationsOptions) => {
    const { db } = app;
    const { hub, runs, manager, usage } = app.services;
    const workspaces = options.home
      ? new GitWorkspaces(join(options.home, "worktrees"))
      : undefined;
    const pullRequests = new PullRequests(db, hub, runs, manager, usage, workspaces, {
      refreshMs: options.pullRequestRefreshMs,
      env: options.env,
      onError: (error, runId) =>
        app.log.warn({ err: error, runId }, "could not refresh the run's pull request"),
    });
    app.decorate("integrations", { pullRequests });
    app.addHook("onReady", async () => pullRequests.start());
    app.addHook("onClose", async () => {
      await pullRequests.stop();
    });
  },
  { name: "integrations", dependencies: ["services"] },
);
