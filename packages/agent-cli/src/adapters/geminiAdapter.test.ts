import { describe, expect, it } from "vitest";
import { geminiAdapter } from "./geminiAdapter.js";

describe("geminiAdapter", () => {
  it("passes the prompt in the --prompt= form, so a leading - stays its value", () => {
    expect(
      geminiAdapter.buildArgs({
        prompt: "-y",
        cwd: "/repo",
        permission: "acceptEdits",
        resumeSessionId: "s1",
      }),
    ).toEqual([
      "--prompt=-y",
      "--output-format=stream-json",
      "--approval-mode=auto_edit",
      "--skip-trust",
      "--resume=s1",
    ]);
  });

  it("joins streamed deltas into one message, ended by the next other event", () => {
    const parse = geminiAdapter.createParser();
    expect(parse({ type: "message", role: "user", content: "question" })).toEqual([]);
    expect(parse({ type: "message", role: "assistant", content: "Hel", delta: true })).toEqual([]);
    expect(parse({ type: "message", role: "assistant", content: "lo", delta: true })).toEqual([]);
    const events = parse({ type: "result", status: "success", stats: { total_tokens: 5 } });
    expect(events).toEqual([
      { type: "message", text: "Hello" },
      expect.objectContaining({ type: "usage" }),
      expect.objectContaining({ type: "result", status: "success", text: "Hello" }),
    ]);
  });

  it("explains its documented exit codes", () => {
    expect(geminiAdapter.describeExitCode(41)).toMatch(/authentication/);
    expect(geminiAdapter.describeExitCode(55)).toMatch(/trusted/);
    expect(geminiAdapter.describeExitCode(3)).toBeUndefined();
  });
});
