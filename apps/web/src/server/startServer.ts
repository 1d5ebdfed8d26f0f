import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runAgent } from "@phaseboard/agent-cli";
import { createDbClient, type DbClient, migrateDatabase } from "@phaseboard/db";
import { checkRestateReachable, RestateExecutor } from "@phaseboard/restate-backend";
import { WorkflowExecutor, writeFileAtomic } from "@phaseboard/workflow-engine";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { type BuildAppOptions, buildApp } from "./buildApp.js";
import type { ExecutionBackend, ServerConfig } from "./config.js";
import { registerProject } from "./domain/project/registerProject.js";
import { PrismaRestateRunRecords } from "./domain/workflow/PrismaRestateRunRecords.js";
import type { ExecutorFactory } from "./domain/workflow/RunManager.js";
import { EventHub } from "./events/EventHub.js";
import { relayEvents } from "./events/relayEvents.js";
import { version } from "./version.js";

/** The engine as the server runs it: durable runs whose agent steps spawn the real CLIs. */
export const defaultExecutorFactory: ExecutorFactory = (options) =>
  new WorkflowExecutor({ ...options, runAgent });

/**
 * The `restate` backend: runs are invocations on the cluster, pinned to a worker that
 * runs their steps; the server only submits, signals and attaches. What it keeps of a run
 * beside the cluster (step log lines, the ended generation's checkpoint, the generation)
 * is in the database, so several servers can serve one board.
 */
export function restateExecutorFactory(
  backend: Extract<ExecutionBackend, { kind: "restate" }>,
  db: DbClient,
): ExecutorFactory {
  const records = new PrismaRestateRunRecords(db);
  return (options) =>
    new RestateExecutor({
      records,
      ingress: backend.ingress,
      admin: backend.admin,
      worker: backend.worker,
      projectPath: options.projectPath,
      observer: options.observer,
      host: options.host,
      // The run's preview port block (PHASEBOARD_PORT…), pinned in the run's input for its worker.
      runEnvironment: options.runEnvironment,
    });
}

/** What a running server leaves in `$PHASEBOARD_HOME/server.json` for the CLI to find. */
export interface ServerFile {
  url: string;
  pid: number;
  project: string;
  version: string;
  started_at: string;
}

export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port` the server answers on (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/**
 * Everything `phaseboard serve` does before it answers: migrate the database, open it,
 * register the project, build the app and listen.
 */
export async function startServer(
  config: ServerConfig,
  options: {
    logger?: FastifyServerOptions["logger"];
    /**
     * A long-lived server (default): resumes runs a previous process left, schedules cron
     * triggers and announces itself in server.json. The CLI's embedded server, which
     * lives only as long as one command, turns this off.
     */
    background?: boolean;
  } & Partial<
    Pick<
      BuildAppOptions,
      | "loader"
      | "executorFactory"
      | "concurrency"
      | "leaseMs"
      | "heartbeatIntervalMs"
      | "wsMaxBufferedBytes"
      | "integrations"
      | "previews"
    >
  > = {},
): Promise<RunningServer> {
  // Never silently local: a restate backend that does not answer stops the start here.
  if (config.backend.kind === "restate") await checkRestateReachable(config.backend);
  await migrateDatabase({ url: config.database.url });
  const db = createDbClient({ url: config.database.url });
  try {
    const [latest] = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name DESC LIMIT 1",
    );
    await registerProject(db, config.projectDir);
    const { background = true, ...appOptions } = options;
    const hub = new EventHub();
    // An explicit `executorFactory: undefined` keeps runs queued (tests that set rows).
    const factory =
      "executorFactory" in appOptions
        ? appOptions.executorFactory
        : config.backend.kind === "restate"
          ? restateExecutorFactory(config.backend, db)
          : defaultExecutorFactory;
    // Known once listening; agent steps start after that.
    let boardUrl: string | undefined;
    const app: FastifyInstance = await buildApp({
      db,
      hub,
      token: config.token,
      allowedHosts: config.allowedHosts,
      migration: latest?.migration_name ?? null,
      logger: options.logger,
      concurrency: config.concurrency,
      triggers: background,
      buildsHome: background && config.builds ? config.home : undefined,
      home: config.home,
      ports: config.ports,
      ...appOptions,
      // Every agent step gets the board's MCP server, scoped to its own run by a run token.
      executorFactory:
        factory &&
        ((executorOptions) =>
          factory({
            ...executorOptions,
            mcpServersFor: ({ runId }) =>
              boardUrl
                ? {
                    phaseboard: {
                      url: `${boardUrl}/mcp`,
                      headers: { authorization: `Bearer ${app.runTokens.issue(runId)}` },
                    },
                  }
                : undefined,
          })),
    });
    app.addHook("onClose", async () => db.$disconnect());
    // Servers sharing a PostgreSQL board tell each other what changed, so a board on any
    // of them moves live (SQLite is one process's file: nothing to share).
    if (config.database.provider === "postgresql") {
      const disconnect = await relayEvents({ hub, url: config.database.url, log: app.log });
      app.addHook("onClose", disconnect);
    }
    // Templates first (runs need them), then the runs a previous process left behind,
    // then builds of the templates that are new or changed since.
    for (const project of await app.services.projects.list()) {
      await app.services.catalog.sync(project);
      app.services.catalog.watch(project);
    }
    if (background) {
      await app.services.reviews.recover();
      const recovered = await app.services.manager.recover();
      await app.services.dependencies.recover();
      if (recovered > 0)
        app.log.info({ runs: recovered }, "resuming runs left by a previous start");
    }
    await app.services.builds?.start();
    const serverFile = join(config.home, "server.json");
    // Before listen: Fastify takes no hooks once it listens.
    if (background) app.addHook("onClose", async () => removeServerFile(serverFile));
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await app.close();
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    // Agents reach the board on loopback even when it listens on every interface.
    boardUrl = ["0.0.0.0", "::"].includes(config.host) ? `http://127.0.0.1:${port}` : url;
    if (background) {
      const announced: ServerFile = {
        url,
        pid: process.pid,
        project: config.projectDir,
        version,
        started_at: new Date().toISOString(),
      };
      writeFileAtomic(serverFile, `${JSON.stringify(announced, null, 2)}\n`);
    }
    return { app, url, close: () => app.close() };
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
}

/** Removes server.json unless another server has written its own since. */
function removeServerFile(path: string): void {
  try {
    const current = JSON.parse(readFileSync(path, "utf8")) as Partial<ServerFile>;
    if (current.pid === process.pid) rmSync(path, { force: true });
  } catch {
    // Gone or torn: nothing of ours to remove.
  }
}
