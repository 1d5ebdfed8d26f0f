import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";

/** How long a writer waits for another connection's lock before failing (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

// Every connection gets the same settings:
// - WAL lets the board read while the run manager writes;
// - synchronous=NORMAL is safe with WAL against process crashes (a power loss may drop the
//   newest transactions, and the filesystem checkpoints, written and fsynced first, are the
//   source of truth a resume replays from);
// - foreign keys are off by default in SQLite and must be switched on per connection.
const CONNECTION_PRAGMAS = [
  "PRAGMA journal_mode = WAL;",
  "PRAGMA synchronous = NORMAL;",
  "PRAGMA foreign_keys = ON;",
  `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS};`,
].join("\n");

/**
 * The better-sqlite3 driver adapter with Phaseboard's connection pragmas applied to every
 * connection it opens (the stock adapter applies none).
 */
export function createSqliteAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaBetterSqlite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const withPragmas = async (adapter: SqlDriverAdapter): Promise<SqlDriverAdapter> => {
    await adapter.executeScript(CONNECTION_PRAGMAS);
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => withPragmas(await inner.connect()),
    connectToShadowDb: async () => withPragmas(await inner.connectToShadowDb()),
  };
}
