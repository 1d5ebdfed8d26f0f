import type { AgentAdapter } from "../adapters/AgentAdapter.js";
import type { AgentEvent } from "../types.js";
import { LineSplitter } from "./LineSplitter.js";

export interface EventStream {
  /** Feed a chunk of the CLI's stdout. */
  push(chunk: Buffer): void;
  /** The stream ended: flush a last line without newline. */
  end(): void;
}

/**
 * Turns a CLI's stdout bytes into unified events: each line first as `raw` (so the log
 * keeps everything), then what the dialect makes of it. A line that is not JSON is
 * noise, not a failure: it is reported as `stderr`.
 */
export function createEventStream(
  adapter: AgentAdapter,
  onEvent: (event: AgentEvent) => void,
): EventStream {
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
  return { push: (chunk) => splitter.push(chunk), end: () => splitter.end() };
}
