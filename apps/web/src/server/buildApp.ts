import multipart from "@fastify/multipart";
import { MAX_ARTIFACT_BYTES } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { discoverTemplates } from "@phaseboard/workflow-engine";
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { PreviewsOptions } from "./domain/preview/Previews.js";
import type { ExecutorFactory } from "./domain/workflow/RunManager.js";
import type { TemplateLoader } from "./domain/workflow/TemplateLoader.js";
import type { PortRange } from "./domain/workspace/PortBlocks.js";
import { EventHub } from "./events/EventHub.js";
import { redactUrl } from "./http/requestGate.js";
import { routeCatalogPlugin } from "./http/routeCatalogPlugin.js";
import { mcpPlugin } from "./mcp/mcpPlugin.js";
import { RunTokens } from "./mcp/RunTokens.js";

import { databasePlugin } from "./plugins/databasePlugin.js";
import { errorHandlerPlugin } from "./plugins/errorHandlerPlugin.js";
import { type IntegrationsOptions, integrationsPlugin } from "./plugins/integrationsPlugin.js";
import { requestGatePlugin } from "./plugins/requestGatePlugin.js";
import { servicesPlugin } from "./plugins/servicesPlugin.js";
import { staticClientPlugin } from "./plugins/staticClientPlugin.js";
import { websocketPlugin } from "./plugins/websocketPlugin.js";
import { artifactRoutes } from "./routes/artifactRoutes.js";
import { commentRoutes } from "./routes/commentRoutes.js";
import { definitionRoutes } from "./routes/definitionRoutes.js";
import { docsRoutes } from "./routes/docsRoutes.js";
import { healthRoutes } from "./routes/healthRoutes.js";
import { hookRoutes } from "./routes/hookRoutes.js";
import { integrationRoutes } from "./routes/integrationRoutes.js";
import { previewRoutes } from "./routes/previewRoutes.js";
import { projectRoutes } from "./routes/projectRoutes.js";
import { runRoutes } from "./routes/runRoutes.js";
import { stepRoutes } from "./routes/stepRoutes.js";
import { version } from "./version.js";

export interface BuildAppOptions {
  db: DbClient;
  /** When set, every request must carry it (see requestGatePlugin). */
  token?: string | undefined;
  /** Host names answered besides the loopback names (HOST, PHASEBOARD_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[] | undefined;
  /** The newest migration applied at start, reported by /api/health. */
  migration?: string | null;
  /** The event hub, when the caller connects it to other servers (default: a new one). */
  hub?: EventHub;
  logger?: FastifyServerOptions["logger"];
  /** Reads a project's templates (default: the engine's discoverTemplates). */
  loader?: TemplateLoader;
  /** Builds the executor; without one, runs wait in the queue. */
  executorFactory?: ExecutorFactory | undefined;
  /** Runs executing at once (default 4). */
  concurrency?: number | undefined;
  /** A lease not renewed for this long is abandoned (ms). */
  leaseMs?: number | undefined;
  heartbeatIntervalMs?: number | undefined;
  /** The built board to serve (default apps/web/dist/client, when it exists). */
  clientDir?: string | undefined;
  /** Schedule the templates' cron triggers (default true). */
  triggers?: boolean | undefined;
  /** `$PHASEBOARD_HOME`: where runs' git worktrees go (without it, runs work in place). */
  home?: string | undefined;
  /** `$PHASEBOARD_HOME` when changed templates are to be built (see TemplateBuilds). */
  buildsHome?: string | undefined;
  /** Bytes a WebSocket client may leave unread before it is dropped. */
  wsMaxBufferedBytes?: number | undefined;
  /** Where runs' port blocks come from (PHASEBOARD_PORT_RANGE, PHASEBOARD_PORT_BLOCK). */
  ports?: PortRange | undefined;
  /** Previews' readiness polling and stop grace. */
  previews?: PreviewsOptions | undefined;
  /** Pull requests and notifications: refresh interval, retry delays, the CLIs' environment. */
  integrations?: Omit<IntegrationsOptions, "home"> | undefined;
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
    logger: withRedactedUrls(options.logger ?? false),
    // Per-request lines drown out what matters (runs, steps); LOG_LEVEL=debug brings them back.
    logController: new LogController({ disableRequestLogging: !isDebug(options.logger) }),
    // Runs and steps are addressed by cuid; nobody needs trailing-slash variants.
    routerOptions: { ignoreTrailingSlash: true },
    // A stalled download or socket must not hold shutdown (and the parking of runs) hostage.
    forceCloseConnections: true,
  });
  const hub = options.hub ?? new EventHub();
  await app.register(errorHandlerPlugin);
  // Agent steps' tokens for their own run: the gate lets them through to /mcp only.
  const runTokens = new RunTokens();
  await app.register(requestGatePlugin, {
    token: options.token,
    allowedHosts: options.allowedHosts,
    runTokens,
  });
  await app.register(databasePlugin, { db: options.db });
  await app.register(routeCatalogPlugin);
  await app.register(multipart, {
    limits: { fileSize: MAX_ARTIFACT_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 },
  });
  await app.register(servicesPlugin, {
    db: options.db,
    hub,
    loader: options.loader ?? discoverTemplates,
    executorFactory: options.executorFactory,
    concurrency: options.concurrency,
    leaseMs: options.leaseMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    triggers: options.triggers,
    buildsHome: options.buildsHome,
    home: options.home,
    ports: options.ports,
    previews: options.previews,
  });
  await app.register(integrationsPlugin, { ...options.integrations, home: options.home });
  await app.register(websocketPlugin, {
    hub,
    version,
    ...(options.wsMaxBufferedBytes !== undefined && {
      maxBufferedBytes: options.wsMaxBufferedBytes,
    }),
  });
  await app.register(healthRoutes, { version, migration: options.migration ?? null });
  await app.register(projectRoutes);
  await app.register(definitionRoutes);
  await app.register(runRoutes);
  await app.register(previewRoutes);
  await app.register(integrationRoutes);
  await app.register(stepRoutes);
  await app.register(commentRoutes);
  await app.register(artifactRoutes);
  await app.register(hookRoutes);
  await app.register(mcpPlugin, { runTokens });
  await app.register(docsRoutes, { version });
  // Last: its single-page fallback answers only what no route above claimed.
  await app.register(staticClientPlugin, { root: options.clientDir });
  return app;
}

/** Request lines log the URL with `?token=` values replaced, whatever the level. */
function withRedactedUrls(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (!logger) return logger;
  const base = typeof logger === "object" ? logger : {};
  return {
    ...base,
    serializers: {
      ...base.serializers,
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

function isDebug(logger: FastifyServerOptions["logger"]): boolean {
  const level =
    typeof logger === "object" && logger && "level" in logger ? logger.level : undefined;
  return level === "debug" || level === "trace";
}
