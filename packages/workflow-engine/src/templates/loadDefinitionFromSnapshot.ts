import { stringify } from "yaml";
import type { DefinitionSnapshot, WorkflowDefinition } from "../types/definition.js";
import { parseYamlTemplate } from "../yaml/parseYamlTemplate.js";
import { yamlDefinition } from "../yaml/yamlDefinition.js";
import { importBundle } from "./importBundle.js";
import { TemplateLoadError } from "./TemplateLoadError.js";

/**
 * Rebuilds the definition a run started with, from its definition.json (and, for code
 * templates, the bundle saved beside it), so a resumed run never picks up an edited
 * template. Throws TemplateLoadError when the snapshot cannot be used.
 *
 * @example
 * const definition = await loadDefinitionFromSnapshot(snapshot, readFileSync(bundlePath, "utf8"));
 */
export async function loadDefinitionFromSnapshot(
  snapshot: DefinitionSnapshot,
  bundleText?: string,
  file = "definition.json",
): Promise<WorkflowDefinition> {
  if ("yaml" in snapshot.source) {
    // Validated again like a file: a hand-edited definition.json gets the same errors.
    return yamlDefinition(parseYamlTemplate(stringify(snapshot.source.yaml), file));
  }
  if (bundleText === undefined) {
    throw new TemplateLoadError(
      "TEMPLATE_NOT_FOUND",
      `a code template's snapshot needs its bundle (${snapshot.source.bundle}) to resume`,
      { file },
    );
  }
  return importBundle(bundleText, file);
}
