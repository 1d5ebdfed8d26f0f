#!/usr/bin/env node
// Makes a fresh checkout ready to run: pnpm, dependencies (which also generates the
// Prisma client), the board's built client, and, with --for-tests, a Chromium for the
// browser tests and PostgreSQL's server binaries for the database tests.
// Safe to run again: every step checks first and does nothing when already done.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

// 2. pnpm
if (!found("pnpm")) {
  say(`installing pnpm ${pnpmVersion} (npm install -g)`);
  if (!run("npm", ["install", "-g", `pnpm@${pnpmVersion}`, "--no-fund", "--no-audit"])) {
    say("npm install -g failed; trying corepack");
    if (!run("corepack", ["enable", "pnpm"]) || !found("pnpm")) {
      fail(`could not install pnpm: run \`npm install -g pnpm@${pnpmVersion}\` and try again`);
    }
  }
}

// 3. Dependencies. A few seconds when nothing changed; the first time compiles better-sqlite3.
const installed = existsSync(join(root, "node_modules", ".modules.yaml"));
if (!installed) say("installing dependencies (the first time takes a minute or two)");
// No TTY to confirm with (CI, npm start from a script): a modules folder from another pnpm
// store is rebuilt instead of aborting.
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

// 6. The board. The server serves apps/web/dist/client; rebuild it only when a source file
// is newer than the last build, so an unchanged checkout starts at once.
const web = join(root, "apps", "web");
const builtIndex = join(web, "dist", "client", "index.html");
const clientSources = [
  join(web, "src", "client"),
  join(web, "index.html"),
  join(web, "vite.config.ts"),
];
if (!existsSync(builtIndex) || newestMtime(clientSources) > statSync(builtIndex).mtimeMs) {
  say("building the board (apps/web/dist/client)");
  if (!run("pnpm", ["--filter", "@phaseboard/web", "--silent", "build"])) {
    fail("building the board failed (see above)");
  }
}

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      const children = readdirSync(path).map((name) => join(path, name));
      newest = Math.max(newest, newestMtime(children));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}
