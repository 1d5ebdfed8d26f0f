import { describe, expect, it } from "vitest";
import { claudeAdapter } from "./claudeAdapter.js";

describe("claudeAdapter", () => {
  it("puts the prompt after -- and the resume id in the = form", () => {
    const args = claudeAdapter.buildArgs({
      prompt: "-rf /",
      cwd: "/repo",
      permission: "acceptEdits",
      resumeSessionId: "abc",
    });
    expect(args).toEqual([
      "-p",
      "--output-format=stream-json",
      "--verbose",
      "--permission-mode=acceptEdits",
      "--resume=abc",
      "--",
      "-rf /",
    ]);
  });

  it("asks for IS_SANDBOX=1 only for bypassPermissions as root", () => {
    const input = { prompt: "x", cwd: "/", permission: "bypassPermissions" as const };
    expect(claudeAdapter.extraEnv(input, true)).toEqual({ IS_SANDBOX: "1" });
    expect(claudeAdapter.extraEnv(input, false)).toEqual({});
    expect(claudeAdapter.extraEnv({ ...input, permission: "plan" }, true)).toEqual({});
  });

  it("reads the cost of older versions (cost_usd) and error subtypes without a result text", () => {
    const parse = claudeAdapter.createParser();
    expect(
      parse({ type: "result", subtype: "success", result: "ok", cost_usd: 0.5 }),
    ).toContainEqual(expect.objectContaining({ type: "result", status: "success", costUsd: 0.5 }));
    expect(parse({ type: "result", subtype: "error_max_turns", is_error: true })).toContainEqual(
      expect.objectContaining({ type: "result", status: "error", text: "error_max_turns" }),
    );
  });

  it("ignores lines of other shapes instead of failing", () => {
    const parse = claudeAdapter.createParser();
    for (const json of [null, 42, [], "text", { type: "system", subtype: "compact_boundary" }]) {
      expect(parse(json)).toEqual([]);
    }
  });
});
