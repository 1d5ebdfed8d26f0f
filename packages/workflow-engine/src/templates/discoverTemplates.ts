import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { LoadedTemplate } from "../types/definition.js";
import type { YamlTemplateChecks } from "../yaml/validateYamlTemplate.js";
import { isTemplateFile, loadTemplate } from "./loadTemplate.js";

/**
 * Loads every template in a definitions directory (`.agent/workflows/definitions/`),
 * sorted by file name. With `checks.knownAgents`, a YAML step naming another agent is an
 * error. Broken templates are listed with their error; a missing
 * directory is an empty list. Never throws.
 */
export async function discoverTemplates(
  definitionsDir: string,
  checks: YamlTemplateChecks = {},
): Promise<LoadedTemplate[]> {
  let names: string[];
  try {
    names = (await readdir(definitionsDir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && isTemplateFile(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  const templates: LoadedTemplate[] = [];
  // One at a time: each code template runs esbuild, and this machine has two cores.
  for (const name of names) templates.push(await loadTemplate(join(definitionsDir, name), checks));
  return templates;
}
