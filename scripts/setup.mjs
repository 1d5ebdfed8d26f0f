#!/usr/bin/env node
// Makes a checkout ready to run: pnpm, the dependencies, the Prisma client, the server and
// CLI bundles, the board's built client, and, with --for-tests, a Chromium for the browser
// tests and PostgreSQL's server binaries for the database tests. Every step records what
// it was made from (scripts/setup/stamps.mjs) and is skipped on the next start when nothing
// it depends on changed, so an unchanged checkout is ready in well under a second; a step
// cut short leaves no record and runs again.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { prismaClientOutdated } from "../packages/db/scripts/prismaClientStamp.mjs";
import { buildBundles } from "./build/bundles.mjs";
import {
  buildOutdated,
  dependenciesOutdated,
  listFiles,
  recordBuild,
  recordDependencies,
} from "./setup/stamps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const forTests = process.argv.includes("--for-tests");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, "");

function say(line) {
  process.stderr.write(`setup: ${line}\n`);
}

function fail(line) {
  process.stderr.write(`setup: ${line}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  return result.status === 0;
}

function found(command, args = ["--version"]) {
  const result = spawnSync(command, args, { cwd: root, stdio: "ignore" });
  return result.status === 0;
}

// 1. Node
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Phaseboard needs Node.js 20.19 or newer (this is ${process.versions.node})`);
}

// 2. Dependencies: installed again only when the lockfile or a package.json changed since
// the last finished install, or node_modules is missing or incomplete.
const installReason = dependenciesOutdated(root);
if (installReason) {
  ensurePnpm();
  say(`installing dependencies (${installReason}; the first time takes a minute or two)`);
  // No TTY to confirm with (CI, npm start from a script): a modules folder from another
  // pnpm store is rebuilt instead of aborting. The install hook generates the Prisma client.
  if (
    !run("pnpm", [
      "install",
      "--frozen-lockfile",
      "--prefer-offline",
      "--reporter=silent",
      "--config.confirmModulesPurge=false",
    ])
  ) {
    fail("pnpm install failed (see above)");
  }
  // The install hook (scripts/setup/afterInstall.mjs) records it; a hook skipped by
  // --ignore-scripts would leave it unrecorded.
  recordDependencies(root);
}

// 3. The Prisma client: generated again only when the schema or the Prisma version changed.
const generateReason = prismaClientOutdated(root);
if (generateReason) {
  say(`generating the Prisma client (${generateReason})`);
  if (!run(process.execPath, [join(root, "packages", "db", "scripts", "generate.mjs")])) {
    fail("generating the Prisma client failed (see above)");
  }
}

// 4. Chromium for the browser tests. Playwright cannot download its own browsers
// without network access beyond the npm registry, so the tests use the system's.
if (forTests) {
  const candidates = [
    process.env.PHASEBOARD_CHROMIUM,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  if (!candidates.some((path) => path && existsSync(path))) {
    const isRoot = process.getuid?.() === 0;
    if (isRoot && found("apt-get", ["--version"])) {
      say("installing Chromium for the browser tests (apt-get install chromium)");
      const quiet = { stdio: ["ignore", "ignore", "inherit"] };
      if (
        !run("apt-get", ["update", "-qq"], quiet) ||
        !run("apt-get", ["install", "-y", "-qq", "chromium"], quiet)
      ) {
        fail("could not install chromium with apt-get");
      }
    } else {
      fail(
        "the browser tests need Chromium: install it (Debian/Ubuntu: sudo apt-get install chromium) or set PHASEBOARD_CHROMIUM to its path",
      );
    }
  }
}

// 5. PostgreSQL for the tests that run the board on it: each starts its own cluster in a
// temp folder from Debian's server binaries (nothing is started here).
if (forTests && !existsSync("/usr/lib/postgresql") && !process.env.PHASEBOARD_PG_BIN) {
  if (process.getuid?.() === 0 && found("apt-get", ["--version"])) {
    say("installing PostgreSQL for the database tests (apt-get install postgresql)");
    const quiet = { stdio: ["ignore", "ignore", "inherit"] };
    if (
      !run("apt-get", ["update", "-qq"], quiet) ||
      !run("apt-get", ["install", "-y", "-qq", "postgresql"], {
        ...quiet,
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      })
    ) {
      say("could not install postgresql with apt-get: the PostgreSQL tests will be skipped");
    }
  } else {
    say(
      "PostgreSQL is not installed (sudo apt-get install postgresql): the PostgreSQL tests will be skipped",
    );
  }
}

// 6. The server and CLI bundles (esbuild), rebuilt when one of their sources changed.
try {
  await buildBundles(root, say);
} catch (error) {
  fail(`bundling failed: ${error instanceof Error ? error.message : String(error)}`);
}

// 7. The board. The server serves apps/web/dist/client; rebuilt when a source changed.
const web = join(root, "apps", "web");
const builtIndex = join(web, "dist", "client", "index.html");
const clientStamp = join(web, "dist", ".phaseboard-build-client.json");
const clientInputs = () =>
  listFiles([
    join(web, "src", "client"),
    join(web, "index.html"),
    join(web, "vite.config.ts"),
    join(web, "package.json"),
    join(root, "packages", "contracts", "src"),
  ]);
const clientReason = buildOutdated(clientStamp, builtIndex, "", { checkOutput: false });
if (clientReason) {
  say(`building the board (apps/web/dist/client: ${clientReason})`);
  rmSync(clientStamp, { force: true });
  if (
    !run(
      process.execPath,
      [join(web, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"],
      { cwd: web },
    )
  ) {
    fail("building the board failed (see above)");
  }
  recordBuild(clientStamp, builtIndex, clientInputs());
}

function ensurePnpm() {
  if (found("pnpm")) return;
  say(`installing pnpm ${pnpmVersion} (npm install -g)`);
  if (!run("npm", ["install", "-g", `pnpm@${pnpmVersion}`, "--no-fund", "--no-audit"])) {
    say("npm install -g failed; trying corepack");
    if (!run("corepack", ["enable", "pnpm"]) || !found("pnpm")) {
      fail(`could not install pnpm: run \`npm install -g pnpm@${pnpmVersion}\` and try again`);
    }
  }
}
