import type { LoadedTemplate, YamlTemplateChecks } from "@phaseboard/workflow-engine";

/**
 * Reads every template in a `definitions/` folder; a broken file is `{ ok: false, error }`.
 * `checks.knownAgents` lists the agents the project's steps may name.
 */
export type TemplateLoader = (
  dir: string,
  checks?: YamlTemplateChecks,
) => Promise<LoadedTemplate[]>;
