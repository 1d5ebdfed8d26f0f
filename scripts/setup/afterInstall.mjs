// The workspace's postinstall: generates the Prisma client when its schema or Prisma
// changed, then records the finished install, so the next `npm start` skips `pnpm install`
// until the lockfile or a package.json changes (whoever ran the install: setup, CI, a person).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordDependencies } from "./stamps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const generate = spawnSync(
  process.execPath,
  [join(root, "packages", "db", "scripts", "generate.mjs"), "--if-changed"],
  { cwd: root, stdio: "inherit" },
);
if (generate.status !== 0) process.exit(generate.status ?? 1);
recordDependencies(root);
