import { createHash, randomUUID } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { WorkflowDefinition } from "../types/definition.js";
import { isWorkflowDefinition } from "./defineWorkflow.js";
import { TemplateLoadError } from "./TemplateLoadError.js";

const require = createRequire(import.meta.url);
let bundleDir: string | undefined;

const PREFIX = "phaseboard-templates-";

/**
 * Where this process imports bundles from: a private folder (mode 0700, made by mkdtemp,
 * so no other user of the machine can place or swap a file in it) whose `node_modules/zod`
 * links to the zod this process uses, so a bundle's `import "zod"` (kept external by
 * `bundleCodeTemplate`) is the engine's own module. Removed when the process exits; the
 * folders of processes that died without exiting are removed by the next one.
 */
function templateBundleDir(): string {
  if (bundleDir) return bundleDir;
  removeFoldersOfDeadProcesses();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const link = join(dir, "node_modules", "zod");
  mkdirSync(dirname(link));
  symlinkSync(dirname(require.resolve("zod/package.json")), link, "dir");
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  bundleDir = dir;
  return dir;
}

function removeFoldersOfDeadProcesses(): void {
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^phaseboard-templates-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    const path = join(tmpdir(), name);
    try {
      if (uid !== undefined && lstatSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // another process removed it first, or it is not ours
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
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
