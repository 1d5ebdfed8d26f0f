import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ensureDatabaseFolder } from "../databaseLocation.js";
import { loadSchemaEngine } from "./loadSchemaEngine.js";
import { MigrationError } from "./MigrationError.js";
import { defaultMigrationPaths, type MigrationPaths, readSchema } from "./migrationPaths.js";
import { pendingMigrations } from "./pendingMigrations.js";
import { readMigrationsList } from "./readMigrationsList.js";

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * Applies the migrations under `prisma/migrations` that the database at `url` has not
 * seen yet (what `prisma migrate deploy` does), recording them in `_prisma_migrations`.
 * Rows already in the database are kept: migrations only ever move it forward.
 *
 * @example
 * const { applied } = await migrateDatabase({ url: "file:/tmp/phaseboard.db" });
 */
export async function migrateDatabase(options: {
  url: string;
  paths?: MigrationPaths;
}): Promise<{ applied: string[] }> {
  const paths = options.paths ?? defaultMigrationPaths;
  const filePath = options.url.replace(/^file:/, "");
  ensureDatabaseFolder(filePath);
  const migrationsList = await readMigrationsList(paths.migrationsDir);
  // The common start: everything applied already, nothing to load the engine for.
  if (pendingMigrations(filePath, migrationsList)?.length === 0) return { applied: [] };
  const schema = await readSchema(paths);
  let loaded: Awaited<ReturnType<typeof loadSchemaEngine>>;
  try {
    loaded = await loadSchemaEngine({ url: options.url, schema });
  } catch (error) {
    throw new MigrationError(`Could not open the database at ${filePath}: ${describe(error)}`, {
      cause: error,
    });
  }
  const { engine, explain, close } = loaded;
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList,
      filters: noFilters,
    });
    return { applied: appliedMigrationNames };
  } catch (error) {
    throw new MigrationError(`Could not migrate the database at ${filePath}: ${explain(error)}`, {
      cause: error,
    });
  } finally {
    await close();
  }
}

/**
 * The SQL that would bring a database built from `prisma/migrations` to `schema.prisma`.
 * Empty when the two agree; anything else is drift (a schema change with no migration).
 *
 * The migrations are applied to a scratch database first: the WebAssembly engine cannot
 * replay multi-statement migrations into its in-memory shadow database.
 */
export async function diffMigrationsToSchema(
  paths: MigrationPaths = defaultMigrationPaths,
): Promise<string> {
  const schema = await readSchema(paths);
  const scratch = await mkdtemp(join(tmpdir(), "phaseboard-drift-"));
  const { engine, explain, close } = await loadSchemaEngine({
    url: `file:${join(scratch, "scratch.db")}`,
    schema,
  });
  try {
    const migrationsList = await readMigrationsList(paths.migrationsDir);
    if (migrationsList.migrationDirectories.length > 0) {
      await engine.applyMigrations({ migrationsList, filters: noFilters });
    }
    const result = await engine.diff({
      from: { tag: "schemaDatasource", files: [schema], configDir: dirname(paths.schemaPath) },
      to: { tag: "schemaDatamodel", files: [schema] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return normalizeDiffScript(result.stdout ?? "");
  } catch (error) {
    throw new MigrationError(
      `Could not diff prisma/migrations against schema.prisma: ${explain(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The engine prints "-- This is an empty migration." when nothing differs. */
export function normalizeDiffScript(script: string): string {
  const meaningful = script
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trim().startsWith("--"));
  return meaningful.length === 0 ? "" : script.trim();
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
