import type { DbClient } from "@phaseboard/db";
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from "fastify";
import { authPlugin } from "./plugins/authPlugin.js";
import { databasePlugin } from "./plugins/databasePlugin.js";
import { errorHandlerPlugin } from "./plugins/errorHandlerPlugin.js";
import { healthRoutes } from "./routes/healthRoutes.js";
import { version } from "./version.js";

export interface BuildAppOptions {
  db: DbClient;
  /** When set, every request must carry it (see authPlugin). */
  token?: string | undefined;
  /** The newest migration applied at start, reported by /api/health. */
  migration?: string | null;
  logger?: FastifyServerOptions["logger"];
}

/**
 * Builds the Fastify app without listening, so tests can `inject()` into it.
 *
 * @example
 * const app = await buildApp({ db });
 * const res = await app.inject({ method: "GET", url: "/api/health" });
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Per-request lines drown out what matters (runs, steps); LOG_LEVEL=debug brings them back.
    logController: new LogController({ disableRequestLogging: !isDebug(options.logger) }),
    // Runs and steps are addressed by cuid; nobody needs trailing-slash variants.
    routerOptions: { ignoreTrailingSlash: true },
  });
  await app.register(errorHandlerPlugin);
  await app.register(authPlugin, { token: options.token });
  await app.register(databasePlugin, { db: options.db });
  await app.register(healthRoutes, { version, migration: options.migration ?? null });
  return app;
}

function isDebug(logger: FastifyServerOptions["logger"]): boolean {
  const level =
    typeof logger === "object" && logger && "level" in logger ? logger.level : undefined;
  return level === "debug" || level === "trace";
}
