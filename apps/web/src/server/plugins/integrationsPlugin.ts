import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { RunNotifier } from "../domain/notify/RunNotifier.js";
import { PullRequests } from "../domain/pullRequest/PullRequests.js";
import { GitWorkspaces } from "../domain/workspace/GitWorkspaces.js";

/** What connects runs to the world outside: pull requests, notifications. */
export interface Integrations {
  pullRequests: PullRequests;
  notifier: RunNotifier;
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
  /** Waits between a webhook delivery's attempts (ms; default 1 s, 5 s, 30 s). */
  webhookRetryDelaysMs?: readonly number[] | undefined;
  /** How long one webhook attempt waits for an answer (ms, default 10 s). */
  webhookTimeoutMs?: number | undefined;
}

/**
 * Pull requests from runs' branches and their background refresh, and run notifications
 * (events and webhooks). Closing the app stops the refresh and abandons deliveries in flight.
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
    const notifier = new RunNotifier(db, hub, app.services.configs, {
      retryDelaysMs: options.webhookRetryDelaysMs,
      timeoutMs: options.webhookTimeoutMs,
      selfAddress: () => {
        const address = app.server.address();
        return address && typeof address === "object"
          ? { host: address.address, port: address.port }
          : undefined;
      },
      onError: (error) => app.log.warn({ err: error }, "could not notify about a run"),
    });
    // A run's own `type: pull-request` step (ctx.openPullRequest) opens through here too.
    app.services.hosts.setPullRequestOpener(async ({ runId, ...request }) => {
      const { pullRequest, created } = await pullRequests.open(runId, {
        ...request,
        fromStep: true,
      });
      return {
        url: pullRequest.url,
        number: pullRequest.number,
        provider: pullRequest.provider,
        state: pullRequest.state,
        created,
      };
    });
    notifier.start();
    app.decorate("integrations", { pullRequests, notifier });
    app.addHook("onReady", async () => pullRequests.start());
    app.addHook("onClose", async () => {
      await Promise.all([pullRequests.stop(), notifier.stop()]);
    });
  },
  { name: "integrations", dependencies: ["services"] },
);
