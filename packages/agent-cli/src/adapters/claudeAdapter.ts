import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AgentEvent, AgentPermission } from "../types.js";
import type { BuiltInAgentAdapter, DialectParser, SessionLogInput } from "./AgentAdapter.js";
import { asArray, asNumber, asObject, asString, contentToText } from "./jsonFields.js";

/** Claude Code 2.1 calls the asking mode `manual` (it still reads `default` as the same). */
const PERMISSION_MODES: Record<AgentPermission, string> = {
  default: "manual",
  plan: "plan",
  acceptEdits: "acceptEdits",
  bypassPermissions: "bypassPermissions",
};

function configDir(env: Record<string, string | undefined>): string {
  return env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), ".claude");
}

/** `~/.claude/projects/<cwd with every non-alphanumeric replaced by ->/<session>.jsonl` */
function findSessionLog({ sessionId, cwd, env }: SessionLogInput): string | undefined {
  const projects = join(configDir(env), "projects");
  const expected = join(projects, cwd.replace(/[^A-Za-z0-9]/g, "-"), `${sessionId}.jsonl`);
  if (existsSync(expected)) return expected;
  // The folder naming is not documented: look in every project folder before giving up.
  try {
    for (const folder of readdirSync(projects)) {
      const candidate = join(projects, folder, `${sessionId}.jsonl`);
      if (existsSync(candidate)) return candidate;
    }
  } catch {
    // no projects folder yet
  }
  return undefined;
}

function createParser(): DialectParser {
  return (json) => {
    const line = asObject(json);
    if (!line) return [];
    const events: AgentEvent[] = [];
    switch (line.type) {
      case "system": {
        if (line.subtype === "init") {
          const sessionId = asString(line.session_id);
          if (sessionId)
            events.push({ type: "init", sessionId, model: asString(line.model), raw: json });
        }
        break;
      }
      case "assistant": {
        const message = asObject(line.message);
        for (const block of asArray(message?.content)) {
          const part = asObject(block);
          if (part?.type === "text" && typeof part.text === "string" && part.text !== "") {
            events.push({ type: "message", text: part.text, raw: json });
          } else if (part?.type === "tool_use") {
            events.push({
              type: "tool_call",
              id: asString(part.id),
              name: asString(part.name) ?? "unknown",
              input: part.input ?? {},
              raw: json,
            });
          }
        }
        break;
      }
      case "user": {
        const message = asObject(line.message);
        for (const block of asArray(message?.content)) {
          const part = asObject(block);
          if (part?.type === "tool_result") {
            events.push({
              type: "tool_result",
              id: asString(part.tool_use_id),
              output: contentToText(part.content),
              isError: part.is_error === true,
              raw: json,
            });
          }
        }
        break;
      }
      case "result": {
        const usage = asObject(line.usage);
        if (usage) {
          const input = asNumber(usage.input_tokens);
          const output = asNumber(usage.output_tokens);
          const cached =
            (asNumber(usage.cache_read_input_tokens) ?? 0) +
            (asNumber(usage.cache_creation_input_tokens) ?? 0);
          events.push({
            type: "usage",
            usage: {
              inputTokens: input,
              outputTokens: output,
              cachedInputTokens: cached,
              totalTokens: (input ?? 0) + (output ?? 0) + cached,
            },
            raw: json,
          });
        }
        const failed =
          line.is_error === true || (line.subtype !== undefined && line.subtype !== "success");
        const text =
          asString(line.result) ??
          (failed
            ? asArray(line.errors).map(String).join("\n") || asString(line.subtype)
            : undefined);
        events.push({
          type: "result",
          status: failed ? "error" : "success",
          text,
          // Older versions named it cost_usd.
          costUsd: asNumber(line.total_cost_usd) ?? asNumber(line.cost_usd),
          raw: json,
        });
        break;
      }
      default:
        break;
    }
    return events;
  };
}

export const claudeAdapter: BuiltInAgentAdapter = {
  agent: "claude",
  command: "claude",
  npmPackage: "@anthropic-ai/claude-code",
  authEnv: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"],
  authFiles: (env) => [join(configDir(env), ".credentials.json")],
  buildArgs({ prompt, permission, model, resumeSessionId, mcpServers }) {
    const args = ["-p", "--output-format=stream-json", "--verbose"];
    args.push(`--permission-mode=${PERMISSION_MODES[permission]}`);
    if (mcpServers && Object.keys(mcpServers).length > 0) {
      const servers = Object.fromEntries(
        Object.entries(mcpServers).map(([name, server]) => [
          name,
          { type: "http", url: server.url, ...(server.headers && { headers: server.headers }) },
        ]),
      );
      // Inline JSON (no file to clean up); the user's own MCP servers still load too.
      args.push(`--mcp-config=${JSON.stringify({ mcpServers: servers })}`);
    }
    if (model) args.push(`--model=${model}`);
    // The `=` form: an id can never be read as a flag of its own.
    if (resumeSessionId) args.push(`--resume=${resumeSessionId}`);
    // After `--` a prompt starting with `-` is the positional prompt, not an option.
    args.push("--", prompt);
    return args;
  },
  extraEnv({ permission }, isRoot): Record<string, string> {
    // As root Claude Code refuses to bypass permissions unless told it runs in a sandbox.
    return permission === "bypassPermissions" && isRoot ? { IS_SANDBOX: "1" } : {};
  },
  createParser,
  findSessionLog,
  describeExitCode: () => undefined,
};
