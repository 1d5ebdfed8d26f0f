import {
  findPostgresBinDir,
  migrateDatabase,
  type PostgresCluster,
  startPostgresCluster,
} from "@phaseboard/db";
import { afterAll, beforeAll } from "vitest";

/** Whether this machine has PostgreSQL's server binaries (Debian's `postgresql` package). */
export const postgresInstalled = findPostgresBinDir() !== undefined;

export const POSTGRES_MISSING =
  "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): apt-get install -y postgresql, or run `node scripts/setup.mjs --for-tests` as root";

let cluster: PostgresCluster | undefined;
let databases = 0;
let migratedTemplate: Promise<string> | undefined;

/**
 * Makes every `startTestServer` in this test file store its board in PostgreSQL: one
 * private cluster for the file (started before its tests, stopped after), a fresh
 * database per server.
 */
export function runServersOnPostgres(): void {
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    cluster = undefined;
    migratedTemplate = undefined;
  });
}

/**
 * A new database in this file's cluster, already at the newest migration: a copy of one
 * migrated once (so each server's start finds nothing to apply, as on SQLite's fast path).
 */
export async function createPostgresDatabase(): Promise<string> {
  const current = cluster;
  if (!current) throw new Error("runServersOnPostgres() was not called in this test file");
  migratedTemplate ??= (async () => {
    await migrateDatabase({ url: await current.createDatabase("board_template") });
    return "board_template";
  })();
  return current.createDatabase(`board_${++databases}`, { template: await migratedTemplate });
}

/** `DATABASE_URL` for the next test server: a fresh PostgreSQL database, or none (SQLite). */
export async function testDatabaseEnv(): Promise<Record<string, string>> {
  return cluster ? { DATABASE_URL: await createPostgresDatabase() } : {};
}
