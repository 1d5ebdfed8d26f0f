import type { BuiltInAgentAdapter } from "./AgentAdapter.js";
import { claudeAdapter } from "./claudeAdapter.js";
import { codexAdapter } from "./codexAdapter.js";
import { geminiAdapter } from "./geminiAdapter.js";

/** The agent CLIs Phaseboard drives headless, by name. */
export const agentAdapters: Readonly<Record<"claude" | "codex" | "gemini", BuiltInAgentAdapter>> = {
  claude: claudeAdapter,
  codex: codexAdapter,
  gemini: geminiAdapter,
};
