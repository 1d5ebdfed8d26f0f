// Generates the Prisma client from /prisma/schema.prisma into src/generated/ (git-ignored).
//
// `prisma generate` never runs the schema engine, but the Prisma CLI insists on finding
// one and would try to download a native binary (unreachable offline). Pointing it at any
// existing executable satisfies the check; migrations use the WebAssembly engine instead.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const require = createRequire(import.meta.url);
const prismaCli = join(dirname(require.resolve("prisma/package.json")), "build", "index.js");

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const result = spawnSync(
  process.execPath,
  [prismaCli, "generate", "--schema", join(root, "prisma", "schema.prisma")],
  { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
);
if (result.status !== 0) {
  process.stderr.write(result.stdout + result.stderr);
  process.exit(result.status ?? 1);
}
if (!existsSync(join(here, "..", "src", "generated", "prisma", "client.ts"))) {
  process.stderr.write("prisma generate did not write src/generated/prisma/client.ts\n");
  process.exit(1);
}
