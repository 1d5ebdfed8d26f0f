/** The agent CLIs Phaseboard drives headless. */
export const SUPPORTED_AGENTS = ["claude", "codex", "gemini"] as const;
export type AgentName = (typeof SUPPORTED_AGENTS)[number];
export { AgentInputError, type AgentInputErrorCode } from "./AgentInputError.js";
export { AgentNotInstalledError } from "./AgentNotInstalledError.js";
export {
  AGENT_ARG_PLACEHOLDERS,
  type AgentArgTemplate,
  type AgentDeclaration,
  BUILT_IN_AGENTS,
  DECLARED_AGENT_OUTPUTS,
  DECLARED_AGENT_PROMPT_MODES,
  type DeclaredAgentOutput,
} from "./declared/AgentDeclaration.js";
export { expandArgTemplate, placeholdersIn } from "./declared/expandArgTemplate.js";
export { type AgentInfo, detectAgents } from "./detectAgents.js";
export { findExecutable } from "./process/findExecutable.js";
export { SecretRedactor } from "./process/SecretRedactor.js";
export {
  AGENT_VARIABLE_PREFIXES,
  grantedNames,
  SECRET_NAME,
  stepEnvironment,
} from "./process/stepEnvironment.js";
export { runAgent } from "./runAgent.js";
export type {
  AgentEvent,
  AgentMcpServer,
  AgentPermission,
  AgentRunner,
  AgentRunResult,
  AgentUsage,
  RunAgentOptions,
} from "./types.js";
export { AGENT_PERMISSIONS } from "./validateRunOptions.js";
