import { describe, expect, it } from "vitest";
import { argsRecordSchema, jsonDepth, MAX_ARGS_DEPTH } from "./argsSchema.js";
import { createRunBodySchema, signalBodySchema } from "./runs.js";

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe("args depth", () => {
  it("measures depth without recursion, even 100,000 levels deep", () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth(nested(100_000))).toBe(100_000);
    expect(jsonDepth(nested(100_000), 10)).toBe(11);
  });

  it("accepts args nested 400 levels and refuses 401 or 10,000 with a clear message", () => {
    expect(argsRecordSchema.safeParse({ x: nested(MAX_ARGS_DEPTH - 1) }).success).toBe(true);
    for (const depth of [MAX_ARGS_DEPTH, 10_000]) {
      const result = createRunBodySchema.safeParse({
        project_id: "p",
        workflow_definition_id: "d",
        args: { x: nested(depth) },
      });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]).toMatchObject({
        path: ["args"],
        message: "is nested more than 400 levels deep",
      });
    }
  });

  it("refuses a signal payload nested 10,000 levels deep", () => {
    expect(signalBodySchema.safeParse({ payload: nested(10_000) }).success).toBe(false);
    expect(signalBodySchema.safeParse({ payload: { ok: true } }).success).toBe(true);
    expect(signalBodySchema.safeParse(undefined).success).toBe(true);
  });
});
