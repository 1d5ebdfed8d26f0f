import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { WorkflowDefinition } from "../types/definition.js";
import { isWorkflowDefinition } from "./defineWorkflow.js";
import { TemplateLoadError } from "./TemplateLoadError.js";

const require = createRequire(import.meta.url);
let bundleDir: string | undefined;

/**
 * Where bundles are imported from: a folder whose `node_modules/zod` links to the zod this
 * process uses, so a bundle's `import "zod"` (kept external by `bundleCodeTemplate`) is
 * the engine's own module. The folder is named after that zod, so two Phaseboard installs
 * on one machine never resolve each other's copy.
 */
function templateBundleDir(): string {
  if (bundleDir) return bundleDir;
  const zod = dirname(require.resolve("zod/package.json"));
  const dir = join(
    tmpdir(),
    "phaseboard-templates",
    createHash("sha256").update(zod).digest("hex").slice(0, 16),
  );
  const link = join(dir, "node_modules", "zod");
  mkdirSync(dirname(link), { recursive: true });
  let current: string | undefined;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== zod) {
    // Made under a unique name and renamed over, so a concurrent import never sees no link.
    const partial = `${link}.${process.pid}.${randomUUID()}.tmp`;
    symlinkSync(zod, partial, "dir");
    renameSync(partial, link);
  }
  bundleDir = dir;
  return dir;
}

/**
 * Imports a template bundle from a file named by its content hash. Node caches modules by
 * URL, so a changed template is a new URL and is really loaded again, while an unchanged
 * one reuses the module it already has.
 */
export async function importBundle(bundle: string, file: string): Promise<WorkflowDefinition> {
  const dir = templateBundleDir();
  const target = join(dir, `${createHash("sha256").update(bundle).digest("hex").slice(0, 32)}.mjs`);
  // Written under a unique name then renamed, so a concurrent load never sees half a file.
  const partial = `${target}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(partial, bundle);
  renameSync(partial, target);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(target).href)) as Record<string, unknown>;
  } catch (error) {
    throw new TemplateLoadError(
      "TEMPLATE_IMPORT_FAILED",
      `the template threw while loading: ${error instanceof Error ? error.message : String(error)}`,
      { file, cause: error },
    );
  } finally {
    // Once imported, Node keeps the module by URL; the file is not needed again (an
    // identical bundle imports the cached module), so no bundles pile up in tmp.
    rmSync(target, { force: true });
  }
  if (module.default === undefined) {
    throw new TemplateLoadError(
      "TEMPLATE_NO_DEFAULT_EXPORT",
      "has no default export: expected `export default defineWorkflow({ … })`",
      { file },
    );
  }
  if (!isWorkflowDefinition(module.default)) {
    throw new TemplateLoadError(
      "TEMPLATE_NO_DEFAULT_EXPORT",
      "the default export is not a workflow: expected `export default defineWorkflow({ … })` imported from @phaseboard/workflow-engine",
      { file },
    );
  }
  return module.default;
}
