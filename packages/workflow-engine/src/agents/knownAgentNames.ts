import { BUILT_IN_AGENTS } from "@phaseboard/agent-cli";
import type { LoadedAgentDeclaration } from "./LoadedAgentDeclaration.js";

/**
 * What a step may write in `agent:`: the built-in agents, then the project's usable
 * declarations (a broken one is not usable).
 */
export function knownAgentNames(declared: readonly LoadedAgentDeclaration[]): string[] {
  return [...BUILT_IN_AGENTS, ...declared.filter((entry) => entry.ok).map((entry) => entry.name)];
}
