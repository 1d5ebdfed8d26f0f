import { describe, expect, it } from "vitest";
import { parseStepLog } from "./parseStepLog";

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe("parseStepLog", () => {
  it("folds a tool call together with its result and keeps agent messages as prose", () => {
    const content =
      line({ kind: "agent", agent: { type: "message", text: "Reading the code" } }) +
      line({
        kind: "agent",
        agent: { type: "tool_call", id: "t1", name: "Bash", input: { command: "ls" } },
      }) +
      line({ kind: "agent", agent: { type: "raw", line: "{}" } }) +
      line({
        kind: "agent",
        agent: { type: "tool_result", id: "t1", output: "src\n", isError: false },
      });
    expect(parseStepLog(content)).toEqual([
      { kind: "message", text: "Reading the code" },
      { kind: "tool", name: "Bash", input: { command: "ls" }, output: "src\n", isError: false },
    ]);
  });

  it("joins consecutive chunks of script output and keeps an unreadable line as text", () => {
    const content =
      line({ kind: "stdout", text: "\u001b[32mok\u001b[0m " }) +
      line({ kind: "stdout", text: "3 passed\n" }) +
      line({ kind: "stderr", text: "warning\n" }) +
      "not json\n";
    expect(parseStepLog(content)).toEqual([
      { kind: "text", stream: "stdout", text: "\u001b[32mok\u001b[0m 3 passed\n" },
      { kind: "text", stream: "stderr", text: "warning\n" },
      { kind: "text", stream: "stdout", text: "not json" },
    ]);
  });
});
