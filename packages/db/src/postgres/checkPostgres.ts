import pg from "pg";
import { POSTGRES_CONNECT_TIMEOUT_MS } from "../createDbClient.js";
import { describePostgresUrl } from "../databaseLocation.js";
import { APPLIED_MIGRATIONS_SQL, type AppliedMigration } from "../migrations/pendingMigrations.js";

/** PostgreSQL at `DATABASE_URL` cannot be reached or refuses the connection. */
export class DatabaseUnreachableError extends Error {
  readonly code = "DATABASE_UNREACHABLE";
  constructor(
    readonly address: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot reach PostgreSQL at ${address}: ${reason}`, options);
    this.name = "DatabaseUnreachableError";
  }
}

/**
 * Connects once to the PostgreSQL database at `url` and reads which migrations it has
 * applied (`undefined` when it has no `_prisma_migrations` table yet). Fails with
 * {@link DatabaseUnreachableError} naming host:port when the server cannot be reached,
 * refuses the login or has no such database.
 */
export async function readAppliedPostgresMigrations(
  url: string,
): Promise<AppliedMigration[] | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
  });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new DatabaseUnreachableError(describePostgresUrl(url), reasonOf(error), {
      cause: error,
    });
  }
  try {
    const table = await client.query<{ name: string | null }>(
      "SELECT to_regclass('_prisma_migrations')::text AS name",
    );
    if (!table.rows[0]?.name) return undefined;
    return (await client.query<AppliedMigration>(APPLIED_MIGRATIONS_SQL)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

function reasonOf(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running, on that port?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "ETIMEDOUT":
      return "connection timed out";
    case "3D000":
      return "that database does not exist (create it first: createdb)";
    case "28P01":
    case "28000":
      return "the server refused the login (user or password)";
    default:
      return message?.includes("timeout")
        ? "connection timed out"
        : ((message ?? String(error)).split("\n")[0] ?? "unknown error");
  }
}
