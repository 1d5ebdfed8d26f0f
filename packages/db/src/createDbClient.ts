import { createSqliteAdapterFactory } from "./createSqliteAdapterFactory.js";
import { ensureDatabaseFolder } from "./databaseLocation.js";
import { PrismaClient } from "./generated/prisma/client.js";

export type DbClient = PrismaClient;

/**
 * Opens Phaseboard's SQLite database through Prisma and the better-sqlite3 driver adapter,
 * with WAL, a busy timeout and foreign keys on. Creates the parent folder when missing.
 *
 * @example
 * const db = createDbClient({ url: "file:/tmp/phaseboard.db" });
 * await db.project.findMany();
 * await db.$disconnect();
 */
export function createDbClient(options: { url: string }): DbClient {
  const filePath = options.url.replace(/^file:/, "");
  ensureDatabaseFolder(filePath);
  return new PrismaClient({ adapter: createSqliteAdapterFactory(options.url) });
}
