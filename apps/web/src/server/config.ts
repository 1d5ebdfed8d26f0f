import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type DatabaseLocation,
  resolveDatabaseLocation,
  resolvePhaseboardHome,
} from "@phaseboard/db";
import { z } from "zod";
import { normaliseHostName, parseHostHeader } from "./http/requestGate.js";

/** Every setting's default in one place. */
export const configDefaults = {
  /** TCP port of the API, the board and the WebSocket. */
  port: 4100,
  /** Loopback only: any other address requires PHASEBOARD_TOKEN. */
  host: "127.0.0.1",
  /** pino log level. */
  logLevel: "info",
  /** Runs executing at once; the rest wait in a queue. */
  concurrency: 4,
  /** Ports handed to runs with a worktree (PHASEBOARD_PORT…), first-last inclusive. */
  portRange: "20000-29999",
  /** Ports in each run's block. */
  portBlock: 10,
  /** `local` (this process, files, SQLite) or `restate` (a Restate cluster and workers). */
  backend: "local",
  /** Restate ingress and admin API: the first node of `phaseboard cluster up`. */
  restateIngress: "http://127.0.0.1:18080",
  restateAdmin: "http://127.0.0.1:19070",
  /** The worker runs are pinned to when nothing else names one. */
  restateWorker: "local",
} as const;

function restateUrl(name: string) {
  return z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/";
      } catch {
        return false;
      }
    }, `${name} must be an http(s) address without a path, like http://127.0.0.1:18080`);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: "PORT must be a number" })
    .int("PORT must be a whole number")
    .min(0, "PORT must be between 0 and 65535")
    .max(65_535, "PORT must be between 0 and 65535")
    .default(configDefaults.port),
  HOST: z.string().trim().min(1, "HOST must not be empty").default(configDefaults.host),
  PHASEBOARD_TOKEN: z
    .string()
    .trim()
    .min(16, "PHASEBOARD_TOKEN must be at least 16 characters")
    .optional(),
  PHASEBOARD_CONCURRENCY: z.coerce
    .number({ error: "PHASEBOARD_CONCURRENCY must be a number" })
    .int("PHASEBOARD_CONCURRENCY must be a whole number")
    .min(1, "PHASEBOARD_CONCURRENCY must be at least 1")
    .max(64, "PHASEBOARD_CONCURRENCY must be at most 64")
    .default(configDefaults.concurrency),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default(configDefaults.logLevel),
  PHASEBOARD_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, context) => {
      const names = (value ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
      for (const name of names) {
        if (!parseHostHeader(name) || parseHostHeader(name)?.port !== undefined) {
          context.addIssue({
            code: "custom",
            message: `PHASEBOARD_ALLOWED_HOSTS: ${name} is not a host name (a comma-separated list of names without ports, like board.example.test,[fd00::1])`,
          });
        }
      }
      return names.map(normaliseHostName);
    }),
  PHASEBOARD_PORT_RANGE: z
    .string()
    .default(configDefaults.portRange)
    .transform((value, context) => {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(value.trim());
      const first = Number(match?.[1]);
      const last = Number(match?.[2]);
      if (!match || first < 1024 || last > 65_535 || first > last) {
        context.addIssue({
          code: "custom",
          message: `PHASEBOARD_PORT_RANGE: ${value} is not a port range like 20000-29999 (first-last, from 1024 to 65535)`,
        });
        return z.NEVER;
      }
      return { first, last };
    }),
  PHASEBOARD_PORT_BLOCK: z.coerce
    .number({ error: "PHASEBOARD_PORT_BLOCK must be a number" })
    .int("PHASEBOARD_PORT_BLOCK must be a whole number")
    .min(1, "PHASEBOARD_PORT_BLOCK must be at least 1")
    .max(1000, "PHASEBOARD_PORT_BLOCK must be at most 1000")
    .default(configDefaults.portBlock),
  PHASEBOARD_BACKEND: z
    .enum(["local", "restate"], { error: "PHASEBOARD_BACKEND must be local or restate" })
    .default(configDefaults.backend),
  PHASEBOARD_RESTATE_INGRESS: restateUrl("PHASEBOARD_RESTATE_INGRESS").default(
    configDefaults.restateIngress,
  ),
  PHASEBOARD_RESTATE_ADMIN: restateUrl("PHASEBOARD_RESTATE_ADMIN").default(
    configDefaults.restateAdmin,
  ),
  PHASEBOARD_RESTATE_WORKER: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
      "PHASEBOARD_RESTATE_WORKER must be 1–64 letters, digits, '.', '_' or '-'",
    )
    .default(configDefaults.restateWorker),
  PHASEBOARD_BUILDS: z
    .enum(["on", "off"], { error: "PHASEBOARD_BUILDS must be on or off" })
    .default("on"),
});

export interface ServerConfig {
  port: number;
  host: string;
  token: string | undefined;
  /**
   * Host names the server answers besides the loopback names: HOST (the address it
   * announces in server.json) and PHASEBOARD_ALLOWED_HOSTS. Anything else is refused, which is
   * what defeats DNS rebinding.
   */
  allowedHosts: string[];
  logLevel: string;
  /** Runs executing at once (PHASEBOARD_CONCURRENCY). */
  concurrency: number;
  /** `$PHASEBOARD_HOME`, where per-user state lives. */
  home: string;
  /** SQLite file (the default) or PostgreSQL (`DATABASE_URL=postgresql://…`). */
  database: DatabaseLocation;
  /** The repository registered as a project at start (the one holding `.agent/`). */
  projectDir: string;
  /** Run the Build Workflow on every added or changed template (PHASEBOARD_BUILDS). */
  builds: boolean;
  /** Runs' port blocks: PHASEBOARD_PORT_RANGE in blocks of PHASEBOARD_PORT_BLOCK. */
  ports: { first: number; last: number; size: number };
  /** Where runs execute (PHASEBOARD_BACKEND); checked to answer before the server starts. */
  backend: ExecutionBackend;
}

/** The execution backend and, for Restate, its addresses. */
export type ExecutionBackend =
  | { kind: "local" }
  | {
      kind: "restate";
      /** PHASEBOARD_RESTATE_INGRESS */
      ingress: string;
      /** PHASEBOARD_RESTATE_ADMIN */
      admin: string;
      /** PHASEBOARD_RESTATE_WORKER: the worker new runs are pinned to. */
      worker: string;
    };

/** A setting is invalid; the message names it and says what is expected. */
export class ConfigError extends Error {
  readonly code = "INVALID_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Reads and validates the configuration from the environment.
 *
 * @example
 * const config = loadConfig({ PORT: "4200" });
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<ServerConfig, "port" | "host" | "projectDir">> = {},
): ServerConfig {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join("; "));
  }
  const host = overrides.host ?? parsed.data.HOST;
  const token = parsed.data.PHASEBOARD_TOKEN;
  if (!LOOPBACK_HOSTS.has(host) && !token) {
    throw new ConfigError(
      `HOST=${host} exposes Phaseboard beyond this machine: set PHASEBOARD_TOKEN (16+ characters) to require it on every request`,
    );
  }
  const range = parsed.data.PHASEBOARD_PORT_RANGE;
  if (parsed.data.PHASEBOARD_PORT_BLOCK > range.last - range.first + 1) {
    throw new ConfigError(
      `PHASEBOARD_PORT_BLOCK=${parsed.data.PHASEBOARD_PORT_BLOCK} is larger than PHASEBOARD_PORT_RANGE (${range.first}-${range.last})`,
    );
  }
  let database: ServerConfig["database"];
  try {
    database = resolveDatabaseLocation(env);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  return {
    port: overrides.port ?? parsed.data.PORT,
    host,
    token,
    allowedHosts: [normaliseHostName(host), ...parsed.data.PHASEBOARD_ALLOWED_HOSTS],
    logLevel: parsed.data.LOG_LEVEL,
    concurrency: parsed.data.PHASEBOARD_CONCURRENCY,
    home: resolvePhaseboardHome(env),
    database,
    projectDir: canonicalFolder(overrides.projectDir ?? findProjectDir(env)),
    builds: parsed.data.PHASEBOARD_BUILDS === "on",
    ports: { ...parsed.data.PHASEBOARD_PORT_RANGE, size: parsed.data.PHASEBOARD_PORT_BLOCK },
    backend:
      parsed.data.PHASEBOARD_BACKEND === "restate"
        ? {
            kind: "restate",
            ingress: parsed.data.PHASEBOARD_RESTATE_INGRESS,
            admin: parsed.data.PHASEBOARD_RESTATE_ADMIN,
            worker: parsed.data.PHASEBOARD_RESTATE_WORKER,
          }
        : { kind: "local" },
  };
}

/**
 * The folder through its symlinks, as `POST /api/projects` registers one: a repository
 * started from a symlinked path and added from the board is one project, not two.
 */
function canonicalFolder(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1]?.trim())),
  );
}

/** Phaseboard's own repository: the project registered when nothing else is named. */
export const repositoryRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
);

/**
 * The project to register at start: `PHASEBOARD_PROJECT`, else the nearest folder holding
 * `.agent/` above the directory the command was started from (pnpm keeps it in INIT_CWD),
 * else this repository, whose own templates then make the first project.
 */
export function findProjectDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PHASEBOARD_PROJECT?.trim()) return resolve(env.PHASEBOARD_PROJECT.trim());
  let dir = resolve(env.INIT_CWD?.trim() || process.cwd());
  for (;;) {
    if (existsSync(join(dir, ".agent"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return repositoryRoot;
    dir = parent;
  }
}
