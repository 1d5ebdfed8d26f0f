/** The agent CLIs Phaseboard drives headless. */
export const SUPPORTED_AGENTS = ["claude", "codex", "gemini"] as const;
export type AgentName = (typeof SUPPORTED_AGENTS)[number];
export type {
  AgentEvent,
  AgentPermission,
  AgentRunner,
  AgentRunResult,
  AgentUsage,
  RunAgentOptions,
} from "./types.js";
