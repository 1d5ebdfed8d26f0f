import { describe, expect, it } from "vitest";
import { summarizeResult } from "./summarizeResult.js";

describe("summarizeResult", () => {
  it("prints a short result whole and cuts a long one with an ellipsis", () => {
    expect(summarizeResult({ ok: true })).toBe('{"ok":true}');
    const long = summarizeResult({ text: "x".repeat(500) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith("…")).toBe(true);
  });
});
