import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import Database from "better-sqlite3";

/**
 * The migrations of `list` that the database file does not record as applied with the
 * same checksum (sha256 of migration.sql, as Prisma records it). Read with plain SQLite,
 * so a start with nothing to apply never loads the WebAssembly schema engine (about
 * 60 MB of memory it cannot give back). `undefined` means "ask the engine": no database
 * yet, no migrations table, a script that cannot be read, or a changed checksum.
 */
export function pendingMigrations(filePath: string, list: MigrationList): string[] | undefined {
  if (!existsSync(filePath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(filePath, { readonly: true, fileMustExist: true });
    const rows = db.prepare(APPLIED_MIGRATIONS_SQL).all() as AppliedMigration[];
    return pendingAgainst(rows, list);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

export const APPLIED_MIGRATIONS_SQL =
  "SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL";

export interface AppliedMigration {
  migration_name: string;
  checksum: string;
}

/** The migrations of `list` missing from `rows`; `undefined` when one was edited since. */
export function pendingAgainst(
  rows: AppliedMigration[],
  list: MigrationList,
): string[] | undefined {
  const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const pending: string[] = [];
  for (const directory of list.migrationDirectories) {
    const content = directory.migrationFile.content;
    if (content.tag !== "ok") return undefined;
    const checksum = applied.get(directory.path);
    if (checksum === undefined) pending.push(directory.path);
    else if (checksum !== createHash("sha256").update(content.value).digest("hex")) {
      return undefined;
    }
  }
  return pending;
}
