import type { AgentDeclaration } from "@phaseboard/agent-cli";
import type { TemplateError } from "../types/definition.js";

/** One file of `.agent/agents/`: a usable declaration, or why it is not one. */
export type LoadedAgentDeclaration =
  | { ok: true; name: string; path: string; declaration: AgentDeclaration }
  | { ok: false; name: string; path: string; error: TemplateError };
