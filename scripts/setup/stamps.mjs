// "Only when something changed" for every setup step. Each step that succeeds writes a
// stamp: the content hash of what it was made from. The next start compares hashes and
// skips the step when they match and its output is intact. A step that was interrupted
// wrote no stamp (or left an output that no longer matches it), so it runs again.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function hashFiles(paths, extra = "") {
  const hash = createHash("sha256");
  hash.update(extra);
  for (const path of [...paths].sort()) {
    hash.update(`\0${path}\0`);
    try {
      hash.update(readFileSync(path));
    } catch {
      hash.update("<missing>");
    }
  }
  return hash.digest("hex");
}

export function readStamp(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed, so a stamp is never half written. */
export function writeStamp(path, stamp) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stamp, null, 2)}\n`);
  renameSync(temporary, path);
}

/** The workspace's package folders (apps/*, packages/*) that hold a package.json. */
export function workspacePackageDirs(root) {
  const dirs = [root];
  for (const group of ["apps", "packages"]) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      if (existsSync(join(groupDir, name, "package.json"))) dirs.push(join(groupDir, name));
    }
  }
  return dirs;
}

// ---- dependencies (pnpm install) ----

export const dependenciesStampPath = (root) => join(root, "node_modules", ".phaseboard-setup.json");

/** What an install is made from: the lockfile, the workspace manifests, Node's ABI. */
export function dependenciesHash(root) {
  // Of a package.json only what an install reads: editing a script needs no install.
  const manifests = workspacePackageDirs(root).map((dir) => {
    const path = join(dir, "package.json");
    try {
      const manifest = JSON.parse(readFileSync(path, "utf8"));
      const { postinstall, preinstall, install, prepare } = manifest.scripts ?? {};
      return JSON.stringify([
        path,
        ...installFields.map((field) => manifest[field] ?? null),
        [preinstall, install, postinstall, prepare],
      ]);
    } catch {
      return `${path}: unreadable`;
    }
  });
  // better-sqlite3 is compiled for one Node ABI: another Node needs another install.
  return hashFiles(
    [join(root, "pnpm-lock.yaml"), join(root, "pnpm-workspace.yaml")],
    `node-abi:${process.versions.modules}\0${manifests.join("\0")}`,
  );
}

const installFields = [
  "name",
  "version",
  "packageManager",
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
  "bin",
  "pnpm",
];

/**
 * Why `pnpm install` must run, or undefined when the installed dependencies match the
 * lockfile and manifests and every package's dependency links are in place.
 */
export function dependenciesOutdated(root) {
  if (!existsSync(join(root, "node_modules", ".modules.yaml"))) return "not installed";
  const stamp = readStamp(dependenciesStampPath(root));
  if (!stamp) return "no record of a finished install";
  if (stamp.hash !== dependenciesHash(root)) return "the lockfile or a package.json changed";
  const missing = missingDependencyLinks(root);
  if (missing) return `node_modules is incomplete (${missing} is missing)`;
  return undefined;
}

export function recordDependencies(root) {
  writeStamp(dependenciesStampPath(root), { hash: dependenciesHash(root) });
}

/** The first declared dependency whose folder a package cannot reach, if any. */
export function missingDependencyLinks(root) {
  for (const dir of workspacePackageDirs(root)) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    for (const name of names) {
      // existsSync follows the link, so a dangling link counts as missing.
      if (!existsSync(join(dir, "node_modules", name, "package.json"))) {
        return join(dir, "node_modules", name).slice(root.length + 1);
      }
    }
  }
  return undefined;
}

// ---- builds (esbuild bundles, the board's client) ----

/**
 * Why a build must run, or undefined when its output exists, is the one its stamp
 * describes (not cut short), and its recorded inputs are unchanged. The stamp is removed
 * before a build starts, so a build cut short has none; `checkOutput: false` accepts an
 * output another tool rebuilt from the same inputs (the browser tests build the board).
 */
export function buildOutdated(stampPath, output, extra = "", options = { checkOutput: true }) {
  if (!existsSync(output)) return "not built";
  const stamp = readStamp(stampPath);
  if (!stamp || !Array.isArray(stamp.inputs)) return "no record of a finished build";
  if (options.checkOutput && stamp.output !== hashFiles([output])) {
    return "the last build did not finish";
  }
  if (stamp.hash !== hashFiles(stamp.inputs, extra)) return "its sources changed";
  return undefined;
}

export function recordBuild(stampPath, output, inputs, extra = "") {
  writeStamp(stampPath, {
    hash: hashFiles(inputs, extra),
    output: hashFiles([output]),
    inputs: [...inputs].sort(),
  });
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
export function writeFileAtomically(path, content) {
  const temporary = join(dirname(path), `.${process.pid}.tmp`);
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** Every file under the given paths (folders walked), for build inputs without a metafile. */
export function listFiles(paths) {
  const files = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      files.push(path);
      continue;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) files.push(...listFiles([child]));
      else if (entry.isFile()) files.push(child);
    }
  }
  return files;
}
