import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AgentEvent, AgentPermission } from "../types.js";
import type { BuiltInAgentAdapter, DialectParser, SessionLogInput } from "./AgentAdapter.js";
import { prepareGeminiMcpSettings } from "./geminiMcpSettings.js";
import { asNumber, asObject, asString } from "./jsonFields.js";

const APPROVAL_MODES: Record<AgentPermission, string> = {
  default: "default",
  plan: "plan",
  acceptEdits: "auto_edit",
  bypassPermissions: "yolo",
};

const EXIT_CODES: Record<number, string> = {
  41: "authentication failed (set GEMINI_API_KEY or sign in with `gemini`)",
  42: "invalid input",
  44: "sandbox error",
  52: "configuration error",
  53: "turn limit reached",
  54: "tool execution failed",
  55: "workspace not trusted",
  130: "cancelled",
};

function geminiHome(env: Record<string, string | undefined>): string {
  return join(env.HOME || homedir(), ".gemini");
}

/** `~/.gemini/tmp/<project slug>/chats/session-<time>-<first 8 of id>.jsonl` */
function findSessionLog({ sessionId, cwd, env }: SessionLogInput): string | undefined {
  const home = geminiHome(env);
  const suffix = `-${sessionId.slice(0, 8)}.jsonl`;
  const slugs: string[] = [];
  try {
    // projects.json maps each project root to the slug of its folder under tmp/.
    const projects = asObject(
      asObject(JSON.parse(readFileSync(join(home, "projects.json"), "utf8")))?.projects,
    );
    const slug = asString(projects?.[cwd]);
    if (slug) slugs.push(slug);
  } catch {
    // no registry yet
  }
  try {
    slugs.push(...readdirSync(join(home, "tmp")));
  } catch {
    return undefined;
  }
  for (const slug of slugs) {
    const chats = join(home, "tmp", slug, "chats");
    try {
      const name = readdirSync(chats).find((file) => file.endsWith(suffix));
      if (name) return join(chats, name);
    } catch {
      // this project has no chats
    }
  }
  return undefined;
}

function createParser(): DialectParser {
  // Assistant text streams as deltas: joined into one message at the next other event.
  let text = "";
  let lastMessage: string | undefined;
  const flush = (events: AgentEvent[]) => {
    if (text !== "") {
      events.push({ type: "message", text });
      lastMessage = text;
      text = "";
    }
  };
  return (json) => {
    const line = asObject(json);
    if (!line) return [];
    const events: AgentEvent[] = [];
    if (line.type === "message") {
      if (line.role === "assistant") {
        const content = asString(line.content) ?? "";
        if (line.delta === true) text += content;
        else {
          flush(events);
          text = content;
          flush(events);
        }
      }
      return events;
    }
    flush(events);
    switch (line.type) {
      case "init": {
        const sessionId = asString(line.session_id);
        if (sessionId)
          events.push({ type: "init", sessionId, model: asString(line.model), raw: json });
        break;
      }
      case "tool_use":
        events.push({
          type: "tool_call",
          id: asString(line.tool_id),
          name: asString(line.tool_name) ?? "unknown",
          input: line.parameters ?? {},
          raw: json,
        });
        break;
      case "tool_result": {
        const error = asObject(line.error);
        events.push({
          type: "tool_result",
          id: asString(line.tool_id),
          output: asString(line.output) ?? asString(error?.message) ?? "",
          isError: line.status === "error" || error !== undefined,
          raw: json,
        });
        break;
      }
      case "error":
        events.push({ type: "error", message: asString(line.message) ?? "error", raw: json });
        break;
      case "result": {
        const stats = asObject(line.stats);
        if (stats) {
          events.push({
            type: "usage",
            usage: {
              inputTokens: asNumber(stats.input_tokens),
              outputTokens: asNumber(stats.output_tokens),
              cachedInputTokens: asNumber(stats.cached),
              totalTokens: asNumber(stats.total_tokens),
            },
            raw: json,
          });
        }
        const failed = line.status !== "success";
        const error = asObject(line.error);
        events.push({
          type: "result",
          status: failed ? "error" : "success",
          text: failed ? (asString(error?.message) ?? "failed") : lastMessage,
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

export const geminiAdapter: BuiltInAgentAdapter = {
  agent: "gemini",
  command: "gemini",
  npmPackage: "@google/gemini-cli",
  authEnv: [
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA",
  ],
  authFiles: (env) => [join(geminiHome(env), "oauth_creds.json")],
  buildArgs({ prompt, permission, model, resumeSessionId }) {
    // The `=` form keeps a prompt starting with `-` the value of --prompt.
    const args = [`--prompt=${prompt}`, "--output-format=stream-json"];
    args.push(`--approval-mode=${APPROVAL_MODES[permission]}`);
    // Launching a step in a repository is the trust decision: without it, exit 55.
    args.push("--skip-trust");
    if (model) args.push(`--model=${model}`);
    if (resumeSessionId) args.push(`--resume=${resumeSessionId}`);
    return args;
  },
  extraEnv: () => ({}),
  prepareRun: ({ mcpServers }, env) =>
    mcpServers ? prepareGeminiMcpSettings(mcpServers, env) : undefined,
  createParser,
  findSessionLog,
  describeExitCode: (code) => EXIT_CODES[code],
};
