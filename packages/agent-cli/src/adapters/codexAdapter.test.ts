import { describe, expect, it } from "vitest";
import { codexAdapter } from "./codexAdapter.js";

describe("codexAdapter", () => {
  it("puts exec's options before `resume`, and the prompt after --", () => {
    expect(
      codexAdapter.buildArgs({
        prompt: "--version",
        cwd: "/repo",
        permission: "plan",
        model: "gpt-5",
        resumeSessionId: "t1",
      }),
    ).toEqual([
      "exec",
      "--json",
      "--skip-git-repo-check",
      "--cd=/repo",
      "--sandbox=read-only",
      "--model=gpt-5",
      "resume",
      "t1",
      "--",
      "--version",
    ]);
  });

  it("announces a tool call that is only ever reported completed", () => {
    const parse = codexAdapter.createParser();
    const events = parse({
      type: "item.completed",
      item: {
        id: "item_3",
        type: "mcp_tool_call",
        server: "docs",
        tool: "search",
        arguments: { q: "x" },
        error: { message: "down" },
      },
    });
    expect(events.map((e) => e.type)).toEqual(["tool_call", "tool_result"]);
    expect(events[0]).toMatchObject({ name: "docs.search", input: { q: "x" } });
    expect(events[1]).toMatchObject({ id: "item_3", isError: true, output: "down" });
  });

  it("ends the run with the last agent message as the result text", () => {
    const parse = codexAdapter.createParser();
    parse({ type: "item.completed", item: { id: "a", type: "agent_message", text: "first" } });
    parse({ type: "item.completed", item: { id: "b", type: "agent_message", text: "second" } });
    expect(parse({ type: "turn.completed", usage: { input_tokens: 3, output_tokens: 4 } })).toEqual(
      [
        expect.objectContaining({
          type: "usage",
          usage: expect.objectContaining({ totalTokens: 7 }),
        }),
        expect.objectContaining({ type: "result", status: "success", text: "second" }),
      ],
    );
  });
});
