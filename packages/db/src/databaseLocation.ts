import { accessSync, constants, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where Phaseboard keeps its database and other per-user state. */
export function resolvePhaseboardHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PHASEBOARD_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), ".phaseboard");
}

/** The database engines Phaseboard stores its board in. */
export type DatabaseProvider = "sqlite" | "postgresql";

export type DatabaseLocation =
  | {
      provider: "sqlite";
      /** `file:` URL handed to the driver adapter. */
      url: string;
      /** Absolute path of the SQLite file. */
      filePath: string;
    }
  | {
      provider: "postgresql";
      /** `postgresql://user:password@host:port/database?…`, as configured. */
      url: string;
      filePath?: undefined;
    };

/**
 * Which engine a database URL names: `postgres://` and `postgresql://` are PostgreSQL,
 * everything else (`file:` URLs, bare paths) a SQLite file.
 */
export function databaseProviderOf(url: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//i.test(url.trim()) ? "postgresql" : "sqlite";
}

/**
 * `host:port/database` of a PostgreSQL URL, for messages: never the user or password.
 *
 * @example
 * describePostgresUrl("postgresql://pb:secret@db:5433/board") // "db:5433/board"
 */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "an unparseable PostgreSQL URL";
  }
}

/**
 * Resolves the database: `DATABASE_URL` when set (`postgresql://…`, or a SQLite
 * `file:/abs/path.db`, `file:./relative.db` or bare path), else the SQLite file
 * `$PHASEBOARD_HOME/phaseboard.db`.
 *
 * @example
 * resolveDatabaseLocation({ PHASEBOARD_HOME: "/tmp/pb" }).filePath // "/tmp/pb/phaseboard.db"
 */
export function resolveDatabaseLocation(env: NodeJS.ProcessEnv = process.env): DatabaseLocation {
  const configured = env.DATABASE_URL?.trim();
  if (!configured) {
    const filePath = join(resolvePhaseboardHome(env), "phaseboard.db");
    return { provider: "sqlite", url: `file:${filePath}`, filePath };
  }
  if (databaseProviderOf(configured) === "postgresql") {
    let parsed: URL;
    try {
      parsed = new URL(configured);
    } catch {
      throw new InvalidDatabaseUrlError(configured);
    }
    if (!parsed.hostname || parsed.pathname.length <= 1)
      throw new InvalidDatabaseUrlError(configured);
    return { provider: "postgresql", url: configured };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(configured) && !configured.startsWith("file:")) {
    throw new InvalidDatabaseUrlError(configured);
  }
  let filePath: string;
  if (configured.startsWith("file://")) {
    filePath = fileURLToPath(configured);
  } else {
    const bare = configured.replace(/^file:/, "").replace(/\?.*$/, "");
    filePath = isAbsolute(bare) ? bare : resolve(bare);
  }
  return { provider: "sqlite", url: `file:${filePath}`, filePath };
}

/** `DATABASE_URL` names a database Phaseboard cannot use (a SQLite file or PostgreSQL). */
export class InvalidDatabaseUrlError extends Error {
  readonly code = "INVALID_DATABASE_URL";
  constructor(readonly databaseUrl: string) {
    super(
      `DATABASE_URL must point at a SQLite file (file:/path/to/phaseboard.db) or a PostgreSQL database (postgresql://user@host:5432/phaseboard), got "${redactUrl(databaseUrl)}"`,
    );
    this.name = "InvalidDatabaseUrlError";
  }
}

/**
 * Creates the folder that will hold the SQLite file, or explains in one line why it
 * cannot (so the start command can say so instead of dumping a stack trace).
 */
export function ensureDatabaseFolder(filePath: string): void {
  if (filePath === ":memory:") return;
  try {
    mkdirSync(dirname(filePath), { recursive: true });
    accessSync(dirname(filePath), constants.W_OK);
  } catch (error) {
    throw new DatabaseLocationError(filePath, error);
  }
}

/** The database's folder cannot be created or written. */
export class DatabaseLocationError extends Error {
  readonly code = "DATABASE_UNWRITABLE";
  constructor(
    readonly filePath: string,
    cause: unknown,
  ) {
    super(`Cannot create the database at ${filePath}: ${reasonOf(cause)}`, { cause });
    this.name = "DatabaseLocationError";
  }
}

/** The URL with its password replaced, for messages and logs. */
function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

function reasonOf(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EEXIST":
    case "ENOTDIR":
      return "a parent of that path is a file, not a folder";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
