import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export interface MigrationPaths {
  /** Absolute path of `schema.prisma`. */
  schemaPath: string;
  /** Absolute path of the folder holding one folder per migration. */
  migrationsDir: string;
}

const prismaDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "prisma");

/** The repository's own `prisma/` folder. */
export const defaultMigrationPaths: MigrationPaths = {
  schemaPath: join(prismaDir, "schema.prisma"),
  migrationsDir: join(prismaDir, "migrations"),
};

export async function readSchema(paths: MigrationPaths) {
  return {
    path: relative(process.cwd(), paths.schemaPath) || paths.schemaPath,
    content: await readFile(paths.schemaPath, "utf8"),
  };
}
