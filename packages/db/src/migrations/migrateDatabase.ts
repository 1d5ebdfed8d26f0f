import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type DatabaseProvider,
  databaseProviderOf,
  describePostgresUrl,
  ensureDatabaseFolder,
} from "../databaseLocation.js";
import { readAppliedPostgresMigrations } from "../postgres/checkPostgres.js";
import { loadSchemaEngine } from "./loadSchemaEngine.js";
import { MigrationError } from "./MigrationError.js";
import {
  defaultMigrationPaths,
  type MigrationPaths,
  migrationsDirOf,
  readSchema,
} from "./migrationPaths.js";
import { pendingAgainst, pendingMigrations } from "./pendingMigrations.js";
import { readMigrationsList } from "./readMigrationsList.js";

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * Applies the migrations under `prisma/migrations` (SQLite) or
 * `prisma/postgresql-migrations` (a `postgresql://` URL) that the database at `url` has
 * not seen yet (what `prisma migrate deploy` does), recording them in `_prisma_migrations`.
 * Rows already in the database are kept: migrations only ever move it forward.
 * An unreachable PostgreSQL fails with `DatabaseUnreachableError` naming host:port.
 *
 * @example
 * const { applied } = await migrateDatabase({ url: "file:/tmp/phaseboard.db" });
 */
export async function migrateDatabase(options: {
  url: string;
  paths?: MigrationPaths;
}): Promise<{ applied: string[] }> {
  const paths = options.paths ?? defaultMigrationPaths;
  const provider = databaseProviderOf(options.url);
  const migrationsList = await readMigrationsList(migrationsDirOf(paths, provider));
  let where: string;
  if (provider === "postgresql") {
    where = describePostgresUrl(options.url);
    const applied = await readAppliedPostgresMigrations(options.url);
    // The common start: everything applied already, nothing to load the engine for.
    if (applied && pendingAgainst(applied, migrationsList)?.length === 0) return { applied: [] };
  } else {
    where = options.url.replace(/^file:/, "");
    ensureDatabaseFolder(where);
    if (pendingMigrations(where, migrationsList)?.length === 0) return { applied: [] };
  }
  const schema = await readSchema(paths, provider);
  let loaded: Awaited<ReturnType<typeof loadSchemaEngine>>;
  try {
    loaded = await loadSchemaEngine({ url: options.url, schema });
  } catch (error) {
    throw new MigrationError(`Could not open the database at ${where}: ${describe(error)}`, {
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
    throw new MigrationError(`Could not migrate the database at ${where}: ${explain(error)}`, {
      cause: error,
    });
  } finally {
    await close();
  }
}

/**
 * The SQL that would bring a database built from one provider's migrations folder to
 * `schema.prisma`. Empty when the two agree; anything else is drift (a schema change with
 * no migration).
 *
 * The migrations are applied to a scratch database first: the WebAssembly engine cannot
 * replay multi-statement migrations into its in-memory shadow database. For PostgreSQL
 * the caller hands in an empty scratch database (`scratchUrl`).
 */
export async function diffMigrationsToSchema(
  paths: MigrationPaths = defaultMigrationPaths,
  options: { provider?: DatabaseProvider; scratchUrl?: string } = {},
): Promise<string> {
  const provider = options.provider ?? "sqlite";
  if (provider === "postgresql" && !options.scratchUrl) {
    throw new MigrationError("Diffing the PostgreSQL migrations needs an empty scratch database");
  }
  const schema = await readSchema(paths, provider);
  const scratch = await mkdtemp(join(tmpdir(), "phaseboard-drift-"));
  const { engine, explain, close } = await loadSchemaEngine({
    url: options.scratchUrl ?? `file:${join(scratch, "scratch.db")}`,
    schema,
  });
  try {
    const migrationsList = await readMigrationsList(migrationsDirOf(paths, provider));
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
      `Could not diff the ${provider} migrations against schema.prisma: ${explain(error)}`,
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
