import type { StepLogEvent } from "../api/types";

export type LogEntry =
  | { kind: "text"; stream: "stdout" | "stderr" | "log" | "system"; text: string }
  | { kind: "message"; text: string }
  | { kind: "tool"; name: string; input: unknown; output?: string; isError?: boolean }
  | { kind: "note"; text: string };

interface AgentEventLike {
  type?: string;
  text?: string;
  name?: string;
  id?: string;
  input?: unknown;
  output?: string;
  isError?: boolean;
  message?: string;
  status?: string;
  sessionId?: string;
  model?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
}

/**
 * Turns a step's events.jsonl into what the log view shows: agent messages as prose, each
 * tool call folded together with its result, script output as text. Unreadable lines are
 * kept as text rather than dropped, so nothing the step wrote goes missing.
 */
export function parseStepLog(content: string): LogEntry[] {
  const entries: LogEntry[] = [];
  const toolsById = new Map<string, Extract<LogEntry, { kind: "tool" }>>();
  for (const line of content.split("\n")) {
    if (!line.trim()) continue;
    let event: StepLogEvent;
    try {
      event = JSON.parse(line) as StepLogEvent;
    } catch {
      entries.push({ kind: "text", stream: "stdout", text: line });
      continue;
    }
    if (event.kind !== "agent") {
      const last = entries[entries.length - 1];
      const text = event.text ?? "";
      // Consecutive chunks of one stream read as one block.
      if (last?.kind === "text" && last.stream === event.kind) last.text += text;
      else entries.push({ kind: "text", stream: event.kind ?? "stdout", text });
      continue;
    }
    const agent = (event.agent ?? {}) as AgentEventLike;
    switch (agent.type) {
      case "message":
        entries.push({ kind: "message", text: agent.text ?? "" });
        break;
      case "tool_call": {
        const tool = { kind: "tool" as const, name: agent.name ?? "tool", input: agent.input };
        entries.push(tool);
        if (agent.id) toolsById.set(agent.id, tool);
        break;
      }
      case "tool_result": {
        const tool = agent.id ? toolsById.get(agent.id) : undefined;
        if (tool) {
          tool.output = agent.output ?? "";
          tool.isError = agent.isError ?? false;
        } else {
          entries.push({ kind: "text", stream: "log", text: agent.output ?? "" });
        }
        break;
      }
      case "init":
        entries.push({
          kind: "note",
          text: `Session ${agent.sessionId ?? ""}${agent.model ? ` · ${agent.model}` : ""}`,
        });
        break;
      case "usage":
        entries.push({
          kind: "note",
          text: `Tokens: ${agent.usage?.inputTokens ?? 0} in · ${agent.usage?.outputTokens ?? 0} out`,
        });
        break;
      case "result":
        entries.push({ kind: "note", text: `Agent finished: ${agent.status ?? "done"}` });
        break;
      case "error":
        entries.push({ kind: "text", stream: "stderr", text: agent.message ?? "error" });
        break;
      case "stderr":
        entries.push({ kind: "text", stream: "stderr", text: agent.text ?? "" });
        break;
      default:
        // `raw` repeats the agent's own stdout line, already shown through the events above.
        break;
    }
  }
  return entries;
}
