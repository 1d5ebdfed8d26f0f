#!/usr/bin/env node
// Makes the npm package `phaseboard-<version>.tgz`: the built board, the server and CLI
// bundled by esbuild, the Prisma migrations, the example templates and the engine's
// TypeScript source (templates are type-checked and bundled against it). Installed with
// `npm install -g ./phaseboard-<version>.tgz`, it needs no checkout, no pnpm and no tsx;
// its dependencies (better-sqlite3, Prisma's runtime, esbuild, typescript, …) come from
// the npm registry at the versions this checkout uses.
//
// The package keeps the repository's layout (apps/web/dist/server.mjs, prisma/, …), so
// the bundles find their files the same way they do in a checkout. It is assembled in
// dist/npm-package/ and packed from there; the repository's own package.json stays private.
//
//   node scripts/package/pack.mjs [--out DIR]     (pnpm pack:npm)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTarget, bundleTargets } from "../build/bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outIndex = process.argv.indexOf("--out");
const outDir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : root);
const stage = join(root, "dist", "npm-package");

function say(line) {
  process.stderr.write(`pack: ${line}\n`);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

// The board's client and the Prisma client come from the same setup as `npm start`.
say("setting up the checkout (node scripts/setup.mjs)");
const setup = spawnSync(process.execPath, [join(root, "scripts", "setup.mjs")], {
  cwd: root,
  stdio: "inherit",
});
if (setup.status !== 0) process.exit(setup.status ?? 1);

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

const dependencies = new Map();
for (const target of bundleTargets) {
  say(`bundling the ${target.name} (${target.outfile})`);
  const { text, externals } = await bundleTarget(root, target, "package");
  const outfile = join(stage, target.outfile);
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, text);
  for (const [name, version] of externals) dependencies.set(name, version);
}

// Loaded by name rather than imported, so the bundler cannot see them: pino's pretty
// printer (a worker thread), and the types a template type check reads.
const engineRequireRoot = join(root, "packages", "workflow-engine");
const webRoot = join(root, "apps", "web");
for (const [name, from] of [
  ["pino-pretty", webRoot],
  ["@types/node", root],
  ["typescript", engineRequireRoot],
  ["zod", engineRequireRoot],
  ["esbuild", engineRequireRoot],
]) {
  dependencies.set(name, readJson(join(from, "node_modules", name, "package.json")).version);
}

say("copying the board, the migrations, the templates and the engine's source");
const copy = (from, filter = () => true) =>
  cpSync(join(root, from), join(stage, from), {
    recursive: true,
    filter: (source) => filter(source),
  });
copy("apps/web/dist/client", (source) => !source.endsWith(".map"));
copy("prisma/schema.prisma");
copy("prisma/migrations");
copy(".agent/workflows/definitions");
copy("packages/workflow-engine/src", (source) => !/\.test\.ts$/.test(source));
copy("apps/cli/bin/phaseboard.js");
copy("README.md");
if (existsSync(join(root, "LICENSE"))) copy("LICENSE");

const rootManifest = readJson(join(root, "package.json"));
const cliManifest = readJson(join(root, "apps", "cli", "package.json"));
// Read by the CLI for --version, and marks its bin file as an ES module.
writeFileSync(
  join(stage, "apps", "cli", "package.json"),
  `${JSON.stringify({ name: "@phaseboard/cli", version: cliManifest.version, type: "module" }, null, 2)}\n`,
);
const manifest = {
  name: "phaseboard",
  version: rootManifest.version,
  description: rootManifest.description,
  type: "module",
  license: rootManifest.license,
  engines: rootManifest.engines,
  bin: { phaseboard: "apps/cli/bin/phaseboard.js" },
  dependencies: Object.fromEntries([...dependencies].sort(([a], [b]) => a.localeCompare(b))),
};
writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

mkdirSync(outDir, { recursive: true });
const packed = spawnSync(
  "npm",
  ["pack", "--pack-destination", outDir, "--json", "--ignore-scripts"],
  { cwd: stage, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (packed.status !== 0) process.exit(packed.status ?? 1);
const [result] = JSON.parse(packed.stdout);
const tarball = join(outDir, result.filename);
say(`${result.entryCount} files, ${(result.size / 1e6).toFixed(1)} MB`);
process.stdout.write(`${tarball}\n`);
