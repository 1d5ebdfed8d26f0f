import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentMcpServer } from "../types.js";
import type { PreparedRun } from "./AgentAdapter.js";

/** Where Gemini CLI reads its system settings when `GEMINI_CLI_SYSTEM_SETTINGS_PATH` is unset. */
function defaultSystemSettingsPath(): string {
  if (process.platform === "darwin") return "/Library/Application Support/GeminiCli/settings.json";
  if (process.platform === "win32") return "C:\\ProgramData\\gemini-cli\\settings.json";
  return "/etc/gemini-cli/settings.json";
}

function readSettings(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // Gemini accepts comments in its settings; such a file is not carried over.
    return {};
  }
}

/**
 * Gemini CLI has no flag for an MCP server: it reads `mcpServers` from settings files, the
 * user's (`~/.gemini/settings.json`), the project's (`.gemini/settings.json`) and the
 * system's, which wins over both and whose path `GEMINI_CLI_SYSTEM_SETTINGS_PATH` may
 * move. So a run gets a system settings file of its own, in a private temp folder: the
 * system settings in force (if any) plus the run's servers, removed when the run ends.
 * Nothing is written into the user's home or repository.
 *
 * Header values (the run's token) are not written to the file: each is a `${VAR}` that
 * Gemini expands from the environment it is given, so no secret lands on disk and a `$`
 * inside a value cannot be misread as a variable. The servers are `trust: true`: they are
 * Phaseboard's own, scoped to the run, and headless Gemini cannot ask a person to confirm
 * each tool call.
 */
export function prepareGeminiMcpSettings(
  servers: Readonly<Record<string, AgentMcpServer>>,
  env: Readonly<Record<string, string | undefined>>,
): PreparedRun | undefined {
  const names = Object.keys(servers);
  if (names.length === 0) return undefined;
  const base = readSettings(env.GEMINI_CLI_SYSTEM_SETTINGS_PATH || defaultSystemSettingsPath());
  const childEnv: Record<string, string> = {};
  const mcpServers: Record<string, unknown> = {
    ...(base.mcpServers && typeof base.mcpServers === "object" ? base.mcpServers : {}),
  };
  let n = 0;
  for (const [name, server] of Object.entries(servers)) {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(server.headers ?? {})) {
      const variable = `PHASEBOARD_MCP_HEADER_${n++}`;
      childEnv[variable] = value;
      headers[key] = `\${${variable}}`;
    }
    mcpServers[name] = { httpUrl: server.url, headers, trust: true };
  }
  const settings: Record<string, unknown> = { ...base, mcpServers };
  // A system allow-list or deny-list must not hide the run's own servers.
  const mcp = base.mcp && typeof base.mcp === "object" ? { ...(base.mcp as object) } : undefined;
  if (mcp) {
    const lists = mcp as { allowed?: unknown; excluded?: unknown };
    if (Array.isArray(lists.allowed)) lists.allowed = [...new Set([...lists.allowed, ...names])];
    if (Array.isArray(lists.excluded)) {
      lists.excluded = lists.excluded.filter((entry) => !names.includes(String(entry)));
    }
    settings.mcp = mcp;
  }
  const dir = mkdtempSync(join(tmpdir(), "phaseboard-gemini-"));
  const file = join(dir, "settings.json");
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return {
    env: { ...childEnv, GEMINI_CLI_SYSTEM_SETTINGS_PATH: file },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
