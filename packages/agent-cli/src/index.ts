/** The agent CLIs Phaseboard drives headless. */
export const SUPPORTED_AGENTS = ["claude", "codex", "gemini"] as const;
export type AgentName = (typeof SUPPORTED_AGENTS)[number];
export { AgentInputError, type AgentInputErrorCode } from "./AgentInputError.js";
export { AgentNotInstalledError } from "./AgentNotInstalledError.js";
export { type AgentInfo, detectAgents } from "./detectAgents.js";
export { runAgent } from "./runAgent.js";
export type {
  AgentEvent,
  AgentPermission,
  AgentRunner,
  AgentRunResult,
  AgentUsage,
  RunAgentOptions,
} from "./types.js";
export { AGENT_PERMISSIONS } from "./validateRunOptions.js";
