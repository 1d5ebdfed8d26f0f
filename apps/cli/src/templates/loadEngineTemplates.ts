import type { LoadedTemplate } from "@phaseboard/workflow-engine";
import { CommandFailedError } from "../errors/CommandFailedError.js";

/** The engine's template functions the CLI uses (packages/workflow-engine). */
export interface EngineTemplates {
  discoverTemplates(projectDir: string): Promise<LoadedTemplate[]>;
  loadTemplate(path: string): Promise<LoadedTemplate>;
}

/**
 * Loads the engine's template loader on demand: it pulls in esbuild and the YAML parser,
 * which most commands never need.
 */
export async function loadEngineTemplates(): Promise<EngineTemplates> {
  const engine = (await import("@phaseboard/workflow-engine")) as Partial<EngineTemplates>;
  if (typeof engine.discoverTemplates !== "function" || typeof engine.loadTemplate !== "function") {
    throw new CommandFailedError(
      "this build of @phaseboard/workflow-engine has no template loader (discoverTemplates, loadTemplate)",
      { code: "ENGINE_UNAVAILABLE" },
    );
  }
  return engine as EngineTemplates;
}
