import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { AgentInputError } from "./AgentInputError.js";
import type { AgentAdapter } from "./adapters/AgentAdapter.js";
import { agentAdapters } from "./adapters/agentAdapters.js";
import type { AgentDeclaration } from "./declared/AgentDeclaration.js";
import { declaredAgentAdapter } from "./declared/declaredAgentAdapter.js";
import type { AgentPermission, RunAgentOptions } from "./types.js";

export const AGENT_PERMISSIONS: readonly AgentPermission[] = [
  "default",
  "plan",
  "acceptEdits",
  "bypassPermissions",
];

/**
 * Session ids are UUIDs or thread names: letters, digits and `._:-`, starting with a
 * letter or digit. Anything else (spaces, quotes, `;`, `$`, a leading `-`) is refused, so
 * an id can never smuggle a flag or a shell word into a command line.
 */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Model names and aliases: `sonnet`, `gpt-5.1-codex`, `claude-opus-4-1[1m]`, `org/model`. */
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,127}$/;

export interface ValidatedRun {
  adapter: AgentAdapter;
  permission: AgentPermission;
}

/** Checks every option before anything is spawned; throws an `AgentInputError`. */
export function validateRunOptions(options: RunAgentOptions): ValidatedRun {
  const { agent, prompt, cwd, permission = "default", model, resumeSessionId, timeout } = options;
  const declared = options.declaredAgents ?? {};
  // Built-ins win: the loader refuses a declaration named after one, and this keeps a
  // hand-made options object from swapping `claude` for something else.
  const adapter = Object.hasOwn(agentAdapters, agent)
    ? agentAdapters[agent as keyof typeof agentAdapters]
    : Object.hasOwn(declared, agent)
      ? declaredAgentAdapter(declared[agent] as AgentDeclaration)
      : undefined;
  if (!adapter) {
    const known = [...Object.keys(agentAdapters), ...Object.keys(declared).sort()];
    throw new AgentInputError(
      "AGENT_UNKNOWN",
      "agent",
      `Unknown agent ${JSON.stringify(agent)}: expected one of ${known.join(", ")}.`,
    );
  }
  if (typeof prompt !== "string" || prompt.trim() === "") {
    throw new AgentInputError("AGENT_EMPTY_PROMPT", "prompt", "The prompt is empty.");
  }
  if (prompt.includes("\0")) {
    throw new AgentInputError(
      "AGENT_INVALID_PROMPT",
      "prompt",
      "The prompt contains a NUL character, which no command line can carry.",
    );
  }
  if (!AGENT_PERMISSIONS.includes(permission)) {
    throw new AgentInputError(
      "AGENT_INVALID_PERMISSION",
      "permission",
      `Unknown permission ${JSON.stringify(permission)}: expected one of ${AGENT_PERMISSIONS.join(", ")}.`,
    );
  }
  if (typeof cwd !== "string" || !isAbsolute(cwd) || !isDirectory(cwd)) {
    throw new AgentInputError(
      "AGENT_CWD_NOT_FOUND",
      "cwd",
      `The working directory ${JSON.stringify(cwd)} does not exist or is not an absolute path to a folder.`,
    );
  }
  if (resumeSessionId !== undefined && !SESSION_ID.test(resumeSessionId)) {
    throw new AgentInputError(
      "AGENT_INVALID_SESSION_ID",
      "resumeSessionId",
      `The session id ${JSON.stringify(resumeSessionId)} is not a session id: only letters, digits and ._:- are allowed, starting with a letter or digit.`,
    );
  }
  if (model !== undefined && !MODEL.test(model)) {
    throw new AgentInputError(
      "AGENT_INVALID_MODEL",
      "model",
      `The model ${JSON.stringify(model)} is not a model name.`,
    );
  }
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw new AgentInputError(
      "AGENT_INVALID_TIMEOUT",
      "timeout",
      `The timeout ${String(timeout)} is not a positive number of milliseconds.`,
    );
  }
  return { adapter, permission };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
