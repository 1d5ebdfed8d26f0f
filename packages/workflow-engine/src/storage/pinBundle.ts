import { createHash } from "node:crypto";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { executionsDir } from "./runPaths.js";
import { fsyncDirectory, writeFileAtomic } from "./writeFileAtomic.js";

let linkCounter = 0;

/** `.agent/workflows/executions/.bundles`: one copy of each bundle runs have pinned. */
export function bundleStoreDir(projectPath: string): string {
  return join(executionsDir(projectPath), ".bundles");
}

/**
 * Pins a code template's bundle in a run's folder (`target`). A bundle holds the template
 * with everything it imports, zod included (~750 KB), and every run, child run and
 * continuation pins its own; so the file is a hard link to one copy per bundle content in
 * `executions/.bundles/`, and a thousand runs of one template version take the disk of
 * one. Each run folder still holds the whole file: removing a run folder, or the store,
 * never touches another run's bundle. Where a link cannot be made (another filesystem, no
 * hard links), the run gets a copy of its own.
 *
 * Readers see the target whole or not at all. Copies in the store that no run links to
 * any more (their run folders were deleted) are removed here.
 *
 * @example
 * pinBundle(projectPath, join(runPaths(projectPath, runId).root, "definition.bundle.mjs"), text);
 */
export function pinBundle(projectPath: string, target: string, text: string): void {
  const store = bundleStoreDir(projectPath);
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 32);
  const shared = join(store, `${hash}.mjs`);
  linkCounter += 1;
  const tmp = `${target}.${process.pid}.${linkCounter}.link`;
  try {
    mkdirSync(store, { recursive: true });
    // Checked, not trusted: a store copy edited by hand must not reach the next run.
    if (!existsSync(shared) || readFileSync(shared, "utf8") !== text) {
      writeFileAtomic(shared, text);
    }
    linkSync(shared, tmp);
    renameSync(tmp, target);
    fsyncDirectory(dirname(target));
  } catch {
    rmSync(tmp, { force: true });
    writeFileAtomic(target, text);
    return;
  }
  pruneBundleStore(store, shared);
}

/** Removes store copies with no other link: no run folder holds them any more. */
function pruneBundleStore(store: string, keep: string): void {
  for (const name of readdirSync(store)) {
    const file = join(store, name);
    if (file === keep || !name.endsWith(".mjs")) continue;
    try {
      if (statSync(file).nlink <= 1) unlinkSync(file);
    } catch {
      // Gone already (another process pruned it), or not ours to remove.
    }
  }
}
