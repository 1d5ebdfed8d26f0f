// The server and CLI bundles, rebuilt only when one of their source files changed.
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildOutdated, recordBuild, writeFileAtomically } from "../setup/stamps.mjs";
import { bundleTarget, bundleTargets, loadEsbuild } from "./bundle.mjs";

const stampPath = (root, target) =>
  join(root, dirname(target.outfile), `.phaseboard-build-${target.name}.json`);

// A new esbuild or a change to how bundles are made also makes them stale.
function buildRecipe(root) {
  return `esbuild:${loadEsbuild(root).version} recipe:${join(root, "scripts", "build", "bundle.mjs")}`;
}

const recipeFiles = (root) => [join(root, "scripts", "build", "bundle.mjs")];

/** Why a target must be rebuilt, or undefined when its bundle is current. */
export function bundleOutdated(root, target) {
  return buildOutdated(stampPath(root, target), join(root, target.outfile), buildRecipe(root));
}

/** Rebuilds each stale bundle; `say` gets one line per bundle built. */
export async function buildBundles(root, say = () => {}) {
  for (const target of bundleTargets) {
    const reason = bundleOutdated(root, target);
    if (!reason) continue;
    say(`bundling the ${target.name} (${target.outfile}: ${reason})`);
    const stamp = stampPath(root, target);
    const outfile = join(root, target.outfile);
    rmSync(stamp, { force: true });
    const { text, inputs } = await bundleTarget(root, target, "checkout");
    mkdirSync(dirname(outfile), { recursive: true });
    writeFileAtomically(outfile, text);
    recordBuild(stamp, outfile, [...inputs, ...recipeFiles(root)], buildRecipe(root));
  }
}
