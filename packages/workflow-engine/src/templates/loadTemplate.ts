import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { cronTriggerProblem } from "../parser/cronTriggerProblem.js";
import type {
  DefinitionSnapshot,
  LoadedTemplate,
  TemplateFormat,
  WorkflowDefinition,
} from "../types/definition.js";
import { parseYamlTemplate } from "../yaml/parseYamlTemplate.js";
import type { YamlTemplateChecks } from "../yaml/validateYamlTemplate.js";
import { yamlDefinition } from "../yaml/yamlDefinition.js";
import { bundleCodeTemplate } from "./bundleCodeTemplate.js";
import { CodeTemplateCache } from "./CodeTemplateCache.js";
import { importBundle } from "./importBundle.js";
import { TemplateLoadError } from "./TemplateLoadError.js";

/** Name of the bundle a code-template run saves beside its definition.json. */
export const SNAPSHOT_BUNDLE_FILE = "definition.bundle.mjs";

// Only successful loads are kept: a broken template is retried on every load, so fixing
// a helper it imports needs no restart.
const codeTemplates = new CodeTemplateCache();

const CODE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];
const YAML_EXTENSIONS = [".yaml", ".yml"];

/** Whether `file` looks like a template this loader understands. */
export function isTemplateFile(file: string): boolean {
  if (file.endsWith(".d.ts") || /\.test\.[mc]?[jt]s$/.test(file)) return false;
  return [...CODE_EXTENSIONS, ...YAML_EXTENSIONS].includes(extname(file));
}

/**
 * Loads one template file — YAML parsed and validated, TypeScript bundled with esbuild and
 * imported fresh — into the engine's definition model. Never throws: a broken template
 * comes back as `{ ok: false, error }` with the file, line and column.
 *
 * @example
 * const loaded = await loadTemplate(".agent/workflows/definitions/simple-pipeline.yaml");
 * if (!loaded.ok) console.error(loaded.error.message);
 */
export async function loadTemplate(
  path: string,
  checks: YamlTemplateChecks = {},
): Promise<LoadedTemplate> {
  const file = resolve(path);
  const extension = extname(file);
  const identifier = basename(file, extension);
  const format: TemplateFormat = YAML_EXTENSIONS.includes(extension) ? "yaml" : "code";
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = new TemplateLoadError(
      "TEMPLATE_NOT_FOUND",
      `cannot read the template: ${(error as Error).message}`,
      {
        file,
        cause: error,
      },
    );
    return { ok: false, identifier, path: file, format, sourceHash: "", error: missing.toJSON() };
  }
  const sourceHash = createHash("sha256").update(bytes).digest("hex");
  const base = { identifier, path: file, format, sourceHash };
  try {
    if (YAML_EXTENSIONS.includes(extension)) {
      const template = parseYamlTemplate(bytes.toString("utf8"), file, checks);
      const definition = yamlDefinition(template);
      return {
        ok: true,
        ...base,
        definition,
        snapshot: snapshotOf(definition, "yaml", { yaml: template }),
      };
    }
    if (!CODE_EXTENSIONS.includes(extension)) {
      throw new TemplateLoadError(
        "TEMPLATE_UNSUPPORTED_FORMAT",
        `unsupported template file: expected one of ${[...YAML_EXTENSIONS, ...CODE_EXTENSIONS].join(", ")}`,
        { file },
      );
    }
    const cached = codeTemplates.get(file, sourceHash);
    if (cached) return cached;
    const bundle = await bundleCodeTemplate(file);
    const definition = await importBundle(bundle.text, file);
    checkCodeDefinition(definition, file);
    const loaded: LoadedTemplate = {
      ok: true,
      ...base,
      definition,
      snapshot: snapshotOf(definition, "code", { bundle: SNAPSHOT_BUNDLE_FILE }),
      bundle: bundle.text,
    };
    codeTemplates.set(file, sourceHash, bundle.inputs, loaded);
    return loaded;
  } catch (error) {
    const failure =
      error instanceof TemplateLoadError
        ? error
        : new TemplateLoadError("TEMPLATE_INVALID", (error as Error).message ?? String(error), {
            file,
            cause: error,
          });
    return { ok: false, ...base, error: failure.toJSON() };
  }
}

function checkCodeDefinition(definition: WorkflowDefinition, file: string): void {
  if (typeof definition.name !== "string" || definition.name === "") {
    throw new TemplateLoadError(
      "TEMPLATE_INVALID",
      "defineWorkflow: `name` must be a non-empty string",
      { file },
    );
  }
  if (!Array.isArray(definition.phases) || definition.phases.length === 0) {
    throw new TemplateLoadError(
      "TEMPLATE_INVALID",
      "defineWorkflow: `phases` must list at least one phase",
      { file },
    );
  }
  for (const trigger of definition.triggers ?? []) {
    const problem = trigger.type === "cron" ? cronTriggerProblem(trigger) : undefined;
    if (problem !== undefined) {
      throw new TemplateLoadError("INVALID_CRON", `defineWorkflow triggers: ${problem}`, { file });
    }
  }
}

/** The JSON a run pins in definition.json (no functions, no class instances). */
export function snapshotOf(
  definition: LoadedTemplateDefinition,
  format: TemplateFormat,
  source: DefinitionSnapshot["source"],
): DefinitionSnapshot {
  const snapshot: DefinitionSnapshot = {
    name: definition.name,
    format,
    phases: definition.phases,
    argsSchema: definition.argsSchema,
    source,
  };
  if (definition.description !== undefined) snapshot.description = definition.description;
  if (definition.steps !== undefined) snapshot.steps = definition.steps;
  if (definition.triggers !== undefined) snapshot.triggers = definition.triggers;
  return JSON.parse(JSON.stringify(snapshot)) as DefinitionSnapshot;
}

type LoadedTemplateDefinition = Extract<LoadedTemplate, { ok: true }>["definition"];
