import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "./migrateDatabase.js";
import { defaultMigrationPaths, type MigrationPaths } from "./migrationPaths.js";
import { pendingMigrations } from "./pendingMigrations.js";
import { readMigrationsList } from "./readMigrationsList.js";

describe("pendingMigrations", () => {
  let dir: string;
  let paths: MigrationPaths;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pb-pending-"));
    paths = {
      schemaPath: join(dir, "prisma", "schema.prisma"),
      migrationsDir: join(dir, "prisma", "migrations"),
      postgresMigrationsDir: join(dir, "prisma", "postgresql-migrations"),
    };
    cpSync(defaultMigrationPaths.migrationsDir, paths.migrationsDir, { recursive: true });
    cpSync(defaultMigrationPaths.schemaPath, paths.schemaPath);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("defers to the engine when there is no database yet", async () => {
    const list = await readMigrationsList(paths.migrationsDir);
    expect(pendingMigrations(join(dir, "none.db"), list)).toBeUndefined();
  });

  it("finds nothing pending once every migration is applied, and names a new one", async () => {
    const file = join(dir, "pb.db");
    await migrateDatabase({ url: `file:${file}`, paths });
    expect(pendingMigrations(file, await readMigrationsList(paths.migrationsDir))).toEqual([]);

    const added = join(paths.migrationsDir, "29991231000000_later");
    mkdirSync(added);
    writeFileSync(join(added, "migration.sql"), "CREATE TABLE later (id TEXT);\n");
    expect(pendingMigrations(file, await readMigrationsList(paths.migrationsDir))).toEqual([
      "29991231000000_later",
    ]);
  });

  it("defers to the engine when an applied migration was edited since", async () => {
    const file = join(dir, "pb.db");
    await migrateDatabase({ url: `file:${file}`, paths });
    const list = await readMigrationsList(paths.migrationsDir);
    const first = list.migrationDirectories[0];
    if (first?.migrationFile.content.tag !== "ok") throw new Error("expected a readable migration");
    first.migrationFile.content.value += "\n-- edited\n";
    expect(pendingMigrations(file, list)).toBeUndefined();
  });
});
