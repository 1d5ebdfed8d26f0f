import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm";

export const MIGRATION_LOCK_FILE = "migration_lock.toml";
export const MIGRATION_SCRIPT_FILE = "migration.sql";

/** Reads `prisma/migrations/` into the shape the schema engine expects, oldest first. */
export async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const entries = existsSync(migrationsDir)
    ? await readdir(migrationsDir, { withFileTypes: true })
    : [];
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const scriptPath = join(migrationsDir, name, MIGRATION_SCRIPT_FILE);
      const content = await readFile(scriptPath, "utf8").then(
        (value) => ({ tag: "ok" as const, value }),
        (error: Error) => ({ tag: "error" as const, value: error.message }),
      );
      return { path: name, migrationFile: { path: MIGRATION_SCRIPT_FILE, content } };
    }),
  );
  const lockPath = join(migrationsDir, MIGRATION_LOCK_FILE);
  const lockContent = existsSync(lockPath) ? await readFile(lockPath, "utf8") : null;
  return {
    baseDir: migrationsDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}
