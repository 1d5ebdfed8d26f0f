import { isAbsolute } from "node:path";
import { discoverAgents } from "../agents/discoverAgents.js";
import { knownAgentNames } from "../agents/knownAgentNames.js";
import type { TemplateFormat } from "../types/definition.js";
import { describeTemplate, type TemplatePlan } from "./describeTemplate.js";
import { loadTemplate } from "./loadTemplate.js";
import { TemplateLoadError } from "./TemplateLoadError.js";

/** What a `template` step reports of the file it checked. */
export interface TemplateCheck {
  name: string;
  format: TemplateFormat;
  phases: string[];
  /** One line for a report, e.g. `3 phases, 5 steps`. */
  summary: string;
  /** `check: plan` only: the dry-run plan (phases with their static steps). */
  plan?: TemplatePlan;
}

/**
 * Checks a template file with Phaseboard's own loader, in this process: `validate` loads
 * it (YAML parsed and checked, TypeScript bundled and imported), `plan` also describes it
 * as a dry run would. With `project`, steps may name that project's declared agents (as
 * `phaseboard validate --project` checks them). A template that does not load throws its
 * located error (`file:line:col message`).
 *
 * @example
 * const { summary } = await checkTemplateFile("/repo/.agent/workflows/definitions/ship.yaml", { check: "plan" });
 */
export async function checkTemplateFile(
  file: string,
  options: { check: "validate" | "plan"; project?: string | undefined },
): Promise<TemplateCheck> {
  if (!isAbsolute(file)) {
    throw new TemplateLoadError("TEMPLATE_NOT_FOUND", "is not an absolute path", { file });
  }
  if (options.project !== undefined && !isAbsolute(options.project)) {
    throw new TemplateLoadError(
      "TEMPLATE_NOT_FOUND",
      `the project ${JSON.stringify(options.project)} is not an absolute path`,
      { file },
    );
  }
  const checks =
    options.project === undefined
      ? {}
      : { knownAgents: knownAgentNames(await discoverAgents(options.project)) };
  const loaded = await loadTemplate(file, checks);
  if (!loaded.ok) {
    const { error } = loaded;
    throw new TemplateLoadError(
      error.code as ConstructorParameters<typeof TemplateLoadError>[0],
      detailOf(error.message, error),
      error,
    );
  }
  const { definition } = loaded;
  const plan = describeTemplate(definition);
  const stepCount = plan.phases.reduce((total, phase) => total + phase.steps.length, 0);
  const phases = `${plan.phases.length} phase${plan.phases.length === 1 ? "" : "s"}`;
  const summary = plan.stepsKnown
    ? `${phases}, ${stepCount} step${stepCount === 1 ? "" : "s"}`
    : `${phases} (its steps are known when it runs)`;
  return {
    name: definition.name,
    format: loaded.format,
    phases: definition.phases,
    summary,
    ...(options.check === "plan" && { plan }),
  };
}

/** A loaded error's message carries its location already; the new error adds it again. */
function detailOf(message: string, where: { file: string; line?: number; column?: number }) {
  const location =
    where.line === undefined
      ? where.file
      : `${where.file}:${where.line}${where.column === undefined ? "" : `:${where.column}`}`;
  return message.startsWith(`${location} `) ? message.slice(location.length + 1) : message;
}
