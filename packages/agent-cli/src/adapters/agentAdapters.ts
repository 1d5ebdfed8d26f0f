import type { AgentAdapter } from "./AgentAdapter.js";
import { claudeAdapter } from "./claudeAdapter.js";
import { codexAdapter } from "./codexAdapter.js";
import { geminiAdapter } from "./geminiAdapter.js";

/** The agent CLIs Phaseboard drives headless, by name. */
export const agentAdapters: Readonly<Record<"claude" | "codex" | "gemini", AgentAdapter>> = {
  claude: claudeAdapter,
  codex: codexAdapter,
  gemini: geminiAdapter,
};
