import { join } from "node:path";
import type {
  LoadedAgentDeclaration,
  LoadedTemplate,
  TemplateError,
  TemplatePlan,
  WorkflowDefinition,
  YamlTemplateChecks,
} from "@phaseboard/workflow-engine";
import { CommandFailedError } from "../errors/CommandFailedError.js";

/** The engine's template functions the CLI uses (packages/workflow-engine). */
export interface EngineTemplates {
  /** Every template in a definitions directory, broken ones with their error. */
  discoverTemplates(definitionsDir: string, checks?: YamlTemplateChecks): Promise<LoadedTemplate[]>;
  loadTemplate(path: string, checks?: YamlTemplateChecks): Promise<LoadedTemplate>;
  /** The project's `.agent/agents/` declarations, broken ones with their error. */
  discoverAgents(projectPath: string): Promise<LoadedAgentDeclaration[]>;
  /** The built-in agents and the usable declared ones. */
  knownAgentNames(declared: readonly LoadedAgentDeclaration[]): string[];
  /** TypeScript compiler diagnostics of a code template, with file, line and column. */
  typecheckTemplate(file: string): Promise<TemplateError[]>;
  /** A dry-run plan: phases and the steps known before running. */
  describeTemplate(definition: WorkflowDefinition): TemplatePlan;
  /** Throws naming each field that fails the template's schema. */
  validateArgs(
    definition: Pick<WorkflowDefinition, "argsSchema">,
    args: unknown,
  ): Record<string, unknown>;
}

/** Where a project keeps its templates. */
export function definitionsDir(projectDir: string): string {
  return join(projectDir, ".agent", "workflows", "definitions");
}

/**
 * Loads the engine's template loader on demand: it pulls in esbuild and the YAML parser,
 * which most commands never need.
 */
export async function loadEngineTemplates(): Promise<EngineTemplates> {
  const engine = (await import("@phaseboard/workflow-engine")) as Partial<EngineTemplates>;
  if (
    typeof engine.discoverTemplates !== "function" ||
    typeof engine.loadTemplate !== "function" ||
    typeof engine.discoverAgents !== "function" ||
    typeof engine.knownAgentNames !== "function" ||
    typeof engine.validateArgs !== "function" ||
    typeof engine.typecheckTemplate !== "function" ||
    typeof engine.describeTemplate !== "function"
  ) {
    throw new CommandFailedError(
      "this build of @phaseboard/workflow-engine has no template loader (discoverTemplates, loadTemplate)",
      { code: "ENGINE_UNAVAILABLE" },
    );
  }
  return engine as EngineTemplates;
}
