// Generates the Prisma clients from /prisma/schema.prisma into src/generated/ (git-ignored):
// `prisma/` for SQLite as the schema says, and `postgresql/` from the same models with the
// PostgreSQL provider (a Prisma client is compiled for one provider).
//
// `prisma generate` never runs the schema engine, but the Prisma CLI insists on finding
// one and would try to download a native binary (unreachable offline). Pointing it at any
// existing executable satisfies the check; migrations use the WebAssembly engine instead.
//
// With --if-changed (the install hook and `npm start`) it does nothing when the schema and
// the Prisma versions are the ones the present clients were generated from.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { prismaClientOutdated, recordPrismaClient } from "./prismaClientStamp.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const require = createRequire(import.meta.url);

if (process.argv.includes("--if-changed") && !prismaClientOutdated(root)) process.exit(0);
const prismaCli = join(dirname(require.resolve("prisma/package.json")), "build", "index.js");

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const generated = join(here, "..", "src", "generated");
rmSync(join(generated, ".phaseboard-generate.json"), { force: true });
const sqliteSchema = join(root, "prisma", "schema.prisma");
// The PostgreSQL variant: the provider line and the output folder differ, nothing else
// (packages/db/src/migrations/migrationPaths.ts derives the same text for migrations).
const postgresSchema = join(generated, "schema.postgresql.prisma");
mkdirSync(generated, { recursive: true });
writeFileSync(
  postgresSchema,
  `// Generated from prisma/schema.prisma by scripts/generate.mjs: do not edit.\n${readFileSync(
    sqliteSchema,
    "utf8",
  )
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"[^"]*"/, 'output = "./postgresql"')}`,
);

for (const [schema, client] of [
  [sqliteSchema, join(generated, "prisma", "client.ts")],
  [postgresSchema, join(generated, "postgresql", "client.ts")],
]) {
  const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", schema], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
  if (!existsSync(client)) {
    process.stderr.write(`prisma generate did not write ${client}\n`);
    process.exit(1);
  }
}
recordPrismaClient(root);
