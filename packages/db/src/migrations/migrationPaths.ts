import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { DatabaseProvider } from "../databaseLocation.js";

export interface MigrationPaths {
  /** Absolute path of `schema.prisma`. */
  schemaPath: string;
  /** Absolute path of the folder holding one folder per SQLite migration. */
  migrationsDir: string;
  /** The same for PostgreSQL: the same models, migrations written in its dialect. */
  postgresMigrationsDir: string;
}

const prismaDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "prisma");

/** The repository's own `prisma/` folder. */
export const defaultMigrationPaths: MigrationPaths = {
  schemaPath: join(prismaDir, "schema.prisma"),
  migrationsDir: join(prismaDir, "migrations"),
  postgresMigrationsDir: join(prismaDir, "postgresql-migrations"),
};

/** The migrations folder of one provider. */
export function migrationsDirOf(paths: MigrationPaths, provider: DatabaseProvider): string {
  return provider === "postgresql" ? paths.postgresMigrationsDir : paths.migrationsDir;
}

/**
 * `schema.prisma` as the given provider sees it: the models are shared, only the
 * datasource provider differs (scripts/generate.mjs derives the PostgreSQL client the same way).
 */
export async function readSchema(paths: MigrationPaths, provider: DatabaseProvider = "sqlite") {
  const content = await readFile(paths.schemaPath, "utf8");
  return {
    path: relative(process.cwd(), paths.schemaPath) || paths.schemaPath,
    content:
      provider === "postgresql"
        ? content.replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
        : content,
  };
}
