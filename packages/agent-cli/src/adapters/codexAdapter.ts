import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AgentEvent, AgentPermission } from "../types.js";
import type { BuiltInAgentAdapter, DialectParser, SessionLogInput } from "./AgentAdapter.js";
import { asNumber, asObject, asString, type JsonObject } from "./jsonFields.js";

/**
 * `codex exec` never asks for approval, so the vocabulary maps onto its sandbox: nobody
 * can approve anything headless, hence `default` gets exec's own read-only default.
 */
const PERMISSION_ARGS: Record<AgentPermission, string[]> = {
  default: ["--sandbox=read-only"],
  plan: ["--sandbox=read-only"],
  acceptEdits: ["--sandbox=workspace-write"],
  bypassPermissions: ["--dangerously-bypass-approvals-and-sandbox"],
};

function codexHome(env: Record<string, string | undefined>): string {
  return env.CODEX_HOME || join(env.HOME || homedir(), ".codex");
}

function datedFolders(dates: Date[]): string[] {
  const folders = new Set<string>();
  for (const date of dates) {
    const pad = (n: number) => String(n).padStart(2, "0");
    // Codex names the folders after the local date.
    folders.add(join(String(date.getFullYear()), pad(date.getMonth() + 1), pad(date.getDate())));
    folders.add(
      join(String(date.getUTCFullYear()), pad(date.getUTCMonth() + 1), pad(date.getUTCDate())),
    );
  }
  return [...folders];
}

/** `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl` */
function findSessionLog({ sessionId, env, startedAt }: SessionLogInput): string | undefined {
  const sessions = join(codexHome(env), "sessions");
  const suffix = `-${sessionId}.jsonl`;
  // A resumed thread keeps its first day's file: look at the run's days first, then all.
  for (const folder of datedFolders([startedAt, new Date()])) {
    try {
      const name = readdirSync(join(sessions, folder)).find((file) => file.endsWith(suffix));
      if (name) return join(sessions, folder, name);
    } catch {
      // that day has no folder
    }
  }
  try {
    const found = readdirSync(sessions, { recursive: true, encoding: "utf8" }).find((file) =>
      file.endsWith(suffix),
    );
    return found ? join(sessions, found) : undefined;
  } catch {
    return undefined;
  }
}

function toolCallOf(item: JsonObject): { name: string; input: unknown } | undefined {
  switch (item.type) {
    case "command_execution":
      return { name: "command_execution", input: { command: item.command } };
    case "file_change":
      return { name: "file_change", input: { changes: item.changes } };
    case "mcp_tool_call":
      return {
        name: `${asString(item.server) ?? "mcp"}.${asString(item.tool) ?? "tool"}`,
        input: item.arguments ?? {},
      };
    case "web_search":
      return { name: "web_search", input: { query: item.query } };
    default:
      return undefined;
  }
}

function toolResultOf(item: JsonObject): { output: string; isError: boolean } {
  const failed = item.status === "failed" || item.status === "declined";
  switch (item.type) {
    case "command_execution": {
      const exitCode = asNumber(item.exit_code);
      return {
        output: asString(item.aggregated_output) ?? "",
        isError: failed || (exitCode !== undefined && exitCode !== 0),
      };
    }
    case "file_change":
      return { output: JSON.stringify(item.changes ?? []), isError: failed };
    case "mcp_tool_call": {
      const error = asObject(item.error);
      if (error) return { output: asString(error.message) ?? JSON.stringify(error), isError: true };
      return { output: JSON.stringify(item.result ?? null), isError: failed };
    }
    default:
      return { output: "", isError: failed };
  }
}

function createParser(): DialectParser {
  let lastMessage: string | undefined;
  const started = new Set<string>();
  return (json) => {
    const line = asObject(json);
    if (!line) return [];
    const events: AgentEvent[] = [];
    switch (line.type) {
      case "thread.started": {
        const sessionId = asString(line.thread_id);
        if (sessionId) events.push({ type: "init", sessionId, raw: json });
        break;
      }
      case "item.started":
      case "item.completed": {
        const item = asObject(line.item);
        if (!item) break;
        const id = asString(item.id);
        if (item.type === "agent_message" && line.type === "item.completed") {
          const text = asString(item.text) ?? "";
          lastMessage = text;
          events.push({ type: "message", text, raw: json });
          break;
        }
        if (item.type === "error" && line.type === "item.completed") {
          events.push({ type: "error", message: asString(item.message) ?? "error", raw: json });
          break;
        }
        const call = toolCallOf(item);
        if (!call) break;
        // Some items are only ever reported completed: announce the call then.
        if (line.type === "item.started" || !id || !started.has(id)) {
          if (id) started.add(id);
          events.push({ type: "tool_call", id, ...call, raw: json });
        }
        if (line.type === "item.completed") {
          events.push({ type: "tool_result", id, ...toolResultOf(item), raw: json });
        }
        break;
      }
      case "turn.completed": {
        const usage = asObject(line.usage);
        if (usage) {
          const input = asNumber(usage.input_tokens);
          const output = asNumber(usage.output_tokens);
          events.push({
            type: "usage",
            usage: {
              inputTokens: input,
              outputTokens: output,
              cachedInputTokens: asNumber(usage.cached_input_tokens),
              totalTokens: (input ?? 0) + (output ?? 0),
            },
            raw: json,
          });
        }
        events.push({ type: "result", status: "success", text: lastMessage, raw: json });
        break;
      }
      case "turn.failed": {
        const error = asObject(line.error);
        events.push({
          type: "result",
          status: "error",
          text: asString(error?.message) ?? "turn failed",
          raw: json,
        });
        break;
      }
      case "error":
        events.push({ type: "error", message: asString(line.message) ?? "error", raw: json });
        break;
      default:
        break;
    }
    return events;
  };
}

export const codexAdapter: BuiltInAgentAdapter = {
  agent: "codex",
  command: "codex",
  npmPackage: "@openai/codex",
  authEnv: ["CODEX_API_KEY", "OPENAI_API_KEY"],
  authFiles: (env) => [join(codexHome(env), "auth.json")],
  buildArgs({ prompt, cwd, permission, model, resumeSessionId, mcpServers }) {
    // exec's own options go before `resume`: the subcommand accepts only a few of them.
    const args = ["exec", "--json", "--skip-git-repo-check", `--cd=${cwd}`];
    for (const [name, server] of Object.entries(mcpServers ?? {})) {
      // `-c` values are TOML: JSON strings and inline tables of strings are valid TOML.
      args.push("-c", `mcp_servers.${name}.url=${JSON.stringify(server.url)}`);
      if (server.headers) {
        const table = Object.entries(server.headers)
          .map(([key, value]) => `${JSON.stringify(key)} = ${JSON.stringify(value)}`)
          .join(", ");
        args.push("-c", `mcp_servers.${name}.http_headers={ ${table} }`);
      }
    }
    args.push(...PERMISSION_ARGS[permission]);
    if (model) args.push(`--model=${model}`);
    if (resumeSessionId) args.push("resume", resumeSessionId);
    // After `--` a prompt starting with `-` is the positional prompt, not an option.
    args.push("--", prompt);
    return args;
  },
  extraEnv: () => ({}),
  createParser,
  findSessionLog,
  describeExitCode: () => undefined,
};
