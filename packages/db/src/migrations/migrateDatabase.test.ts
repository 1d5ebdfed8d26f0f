import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatabaseLocationError } from "../databaseLocation.js";
import { createMigration } from "./createMigration.js";
import { diffMigrationsToSchema, migrateDatabase } from "./migrateDatabase.js";
import { defaultMigrationPaths, type MigrationPaths } from "./migrationPaths.js";

describe("prisma/migrations", () => {
  it("produce exactly schema.prisma (no drift: every schema change has its migration)", async () => {
    const drift = await diffMigrationsToSchema();
    expect(drift, "run `pnpm db:migration <name>` to write the missing migration").toBe("");
  });
});

describe("migrateDatabase", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pb-migrate-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("applies every migration to a new database once, and nothing the second time", async () => {
    const url = `file:${join(dir, "fresh.db")}`;
    const first = await migrateDatabase({ url });
    expect(first.applied.length).toBeGreaterThan(0);
    expect(await migrateDatabase({ url })).toEqual({ applied: [] });
  });

  it("upgrades a database created by an older migration in place, keeping its rows", async () => {
    // The older release: today's migrations. The newer one adds a migration that makes
    // SQLite rebuild a table (a new required column), the riskiest kind for existing rows.
    const paths: MigrationPaths = {
      schemaPath: join(dir, "prisma", "schema.prisma"),
      migrationsDir: join(dir, "prisma", "migrations"),
      postgresMigrationsDir: join(dir, "prisma", "postgresql-migrations"),
    };
    cpSync(defaultMigrationPaths.migrationsDir, paths.migrationsDir, { recursive: true });
    cpSync(defaultMigrationPaths.schemaPath, paths.schemaPath);
    const url = `file:${join(dir, "old.db")}`;
    await migrateDatabase({ url, paths });

    const sqlite = new Database(join(dir, "old.db"));
    sqlite
      .prepare("INSERT INTO projects (id, name, path, updated_at) VALUES (?, ?, ?, ?)")
      .run("p1", "demo", "/repo/demo", new Date().toISOString());
    sqlite.close();

    const schema = readFileSync(paths.schemaPath, "utf8").replace(
      "  path       String   @unique\n",
      '  path       String   @unique\n  color      String   @default("slate")\n',
    );
    writeFileSync(paths.schemaPath, schema);
    const created = await createMigration("add_project_color", { paths, providers: ["sqlite"] });
    expect(created?.sql).toContain("color");

    const { applied } = await migrateDatabase({ url, paths });
    expect(applied).toEqual([expect.stringMatching(/_add_project_color$/)]);

    const upgraded = new Database(join(dir, "old.db"), { readonly: true });
    expect(upgraded.prepare("SELECT id, name, color FROM projects").all()).toEqual([
      { id: "p1", name: "demo", color: "slate" },
    ]);
    upgraded.close();
  });

  it("names the database file and the reason when the path cannot be written", async () => {
    const blocker = join(dir, "not-a-folder");
    writeFileSync(blocker, "");
    const url = `file:${join(blocker, "phaseboard.db")}`;
    const failure = migrateDatabase({ url });
    await expect(failure).rejects.toThrow(DatabaseLocationError);
    await expect(failure).rejects.toThrow(
      `Cannot create the database at ${join(blocker, "phaseboard.db")}: a parent of that path is a file, not a folder`,
    );
  });
});
