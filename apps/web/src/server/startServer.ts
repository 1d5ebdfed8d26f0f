import { createDbClient, migrateDatabase } from "@phaseboard/db";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { type BuildAppOptions, buildApp } from "./buildApp.js";
import type { ServerConfig } from "./config.js";
import { registerProject } from "./domain/project/registerProject.js";

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
  options: { logger?: FastifyServerOptions["logger"] } & Partial<
    Pick<
      BuildAppOptions,
      | "loader"
      | "executorFactory"
      | "concurrency"
      | "leaseMs"
      | "heartbeatIntervalMs"
      | "wsMaxBufferedBytes"
    >
  > = {},
): Promise<RunningServer> {
  await migrateDatabase({ url: config.database.url });
  const db = createDbClient({ url: config.database.url });
  try {
    const [latest] = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name DESC LIMIT 1",
    );
    await registerProject(db, config.projectDir);
    const app = await buildApp({
      db,
      token: config.token,
      migration: latest?.migration_name ?? null,
      logger: options.logger,
      concurrency: config.concurrency,
      ...options,
    });
    app.addHook("onClose", async () => db.$disconnect());
    // Templates first (runs need them), then the runs a previous process left behind.
    for (const project of await app.services.projects.list()) {
      await app.services.catalog.sync(project);
      app.services.catalog.watch(project);
    }
    const recovered = await app.services.manager.recover();
    if (recovered > 0) app.log.info({ runs: recovered }, "resuming runs left by a previous start");
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await app.close();
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    return { app, url: `http://${host}:${port}`, close: () => app.close() };
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
}
