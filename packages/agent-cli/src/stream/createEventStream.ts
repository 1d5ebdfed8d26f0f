import type { AgentAdapter } from "../adapters/AgentAdapter.js";
import type { AgentEvent } from "../types.js";
import { LineSplitter } from "./LineSplitter.js";

export interface EventStream {
  /** Feed a chunk of the CLI's stdout. */
  push(chunk: Buffer): void;
  /** The stream ended: flush a last line without newline. */
  end(): void;
  /** Everything a plain-text CLI printed (its result); empty for JSONL dialects. */
  text(): string;
}

/**
 * Turns a CLI's stdout bytes into unified events: each line first as `raw` (so the log
 * keeps everything), then what the dialect makes of it. In a JSONL dialect a line that
 * is not JSON is noise, not a failure: it is reported as `stderr`. A plain-text CLI's
 * every non-blank line is a `message`, and the whole of stdout is kept for its result.
 */
export function createEventStream(
  adapter: AgentAdapter,
  onEvent: (event: AgentEvent) => void,
): EventStream {
  if (adapter.stdoutFormat === "text") return createTextStream(onEvent);
  const parse = adapter.createParser();
  const splitter = new LineSplitter((line) => {
    if (line.trim() === "") return;
    onEvent({ type: "raw", line });
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      onEvent({ type: "stderr", text: line });
      return;
    }
    for (const event of parse(json)) onEvent(event);
  });
  return { push: (chunk) => splitter.push(chunk), end: () => splitter.end(), text: () => "" };
}

function createTextStream(onEvent: (event: AgentEvent) => void): EventStream {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => {
    lines.push(line);
    if (line.trim() === "") return;
    onEvent({ type: "raw", line });
    onEvent({ type: "message", text: line });
  });
  return {
    push: (chunk) => splitter.push(chunk),
    end: () => splitter.end(),
    text: () => lines.join("\n").trim(),
  };
}
