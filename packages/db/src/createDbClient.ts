import { setFlagsFromString } from "node:v8";
import { PrismaPg } from "@prisma/adapter-pg";
import { createSqliteAdapterFactory } from "./createSqliteAdapterFactory.js";
import {
  type DatabaseProvider,
  databaseProviderOf,
  ensureDatabaseFolder,
} from "./databaseLocation.js";
import { PrismaClient as PostgresPrismaClient } from "./generated/postgresql/client.js";
import { PrismaClient } from "./generated/prisma/client.js";

export type DbClient = PrismaClient;

/** How long opening a PostgreSQL connection may take before it fails (ms). */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;

const providers = new WeakMap<object, DatabaseProvider>();

let liftoffOnly = false;

/**
 * Prisma 7 plans queries in a WebAssembly module. V8 compiles it twice by default (a quick
 * baseline, then optimised code for hot functions), and the optimised copy costs the idle
 * server about 45 MB of memory while planning no faster here (`pnpm bench` in apps/web
 * measures both). The flag is read when a module is compiled, so it must be set before
 * the first client is made; it touches only WebAssembly, never JavaScript.
 */
function compileQueryEngineWithLiftoffOnly(): void {
  if (liftoffOnly) return;
  setFlagsFromString("--liftoff-only");
  liftoffOnly = true;
}

/**
 * Opens Phaseboard's database through Prisma: a `postgresql://` URL through the `pg`
 * driver adapter, anything else as a SQLite file through better-sqlite3 (WAL, a busy
 * timeout and foreign keys on; the parent folder is created when missing).
 *
 * Both clients come from the same models, so the PostgreSQL one is typed as the SQLite
 * one; code that writes raw SQL asks {@link providerOfClient} which dialect to speak.
 *
 * @example
 * const db = createDbClient({ url: "file:/tmp/phaseboard.db" });
 * await db.project.findMany();
 * await db.$disconnect();
 */
export function createDbClient(options: { url: string }): DbClient {
  compileQueryEngineWithLiftoffOnly();
  if (databaseProviderOf(options.url) === "postgresql") {
    const adapter = new PrismaPg({
      connectionString: options.url,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    });
    const client = new PostgresPrismaClient({ adapter }) as unknown as DbClient;
    providers.set(client, "postgresql");
    return client;
  }
  const filePath = options.url.replace(/^file:/, "");
  ensureDatabaseFolder(filePath);
  const client = new PrismaClient({ adapter: createSqliteAdapterFactory(options.url) });
  providers.set(client, "sqlite");
  return client;
}

/** The engine behind a client made by {@link createDbClient} (SQLite for any other). */
export function providerOfClient(db: DbClient): DatabaseProvider {
  return providers.get(db) ?? "sqlite";
}
