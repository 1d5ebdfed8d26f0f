import { existsSync } from "node:fs";
import { join } from "node:path";
import { runProcess, tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { compileCondition } from "./compileCondition.js";
import { compileExpression } from "./compileExpression.js";
import { ExpressionError } from "./ExpressionError.js";
import { interpolate, interpolateDeep, interpolateValue } from "./interpolate.js";

const scope = {
  args: { environment: "staging", retries: 2, packages: ["a", "b"], flags: { fast: true } },
  steps: { test: { status: "completed", output: { passed: false, coverage: 81.5 } } },
};

function caught(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error("expected an ExpressionError");
}

describe("expressions", () => {
  it("reads args and step outputs and does arithmetic on whole JSON numbers", () => {
    expect(compileExpression("args.retries + 1").evaluate(scope)).toBe(3);
    expect(compileExpression("steps.test.output.passed").evaluate(scope)).toBe(false);
    expect(compileExpression("steps.test.output.coverage > 80").evaluate(scope)).toBe(true);
    expect(
      compileExpression('args.environment == "staging" && size(args.packages) == 2').evaluate(
        scope,
      ),
    ).toBe(true);
    expect(compileExpression("args.packages.map(p, p + '!')").evaluate(scope)).toEqual([
      "a!",
      "b!",
    ]);
  });

  it("rejects a syntax error with the offset of the bad token", () => {
    const error = caught(() => compileExpression("args.x +* 2"));
    expect(error.code).toBe("EXPRESSION_SYNTAX");
    expect(error.offset).toBe(8);
  });

  it("cannot reach the host: there is no eval, no globals, no process", () => {
    expect(caught(() => compileExpression("process.exit(1)").evaluate({})).name).toBe(
      "ExpressionError",
    );
    expect(caught(() => compileExpression('eval("1")').evaluate({})).name).toBe("ExpressionError");
  });

  it("accepts a condition both bare and wrapped in {{ }}", () => {
    expect(compileCondition("steps.test.output.passed").evaluate(scope)).toBe(false);
    expect(compileCondition("{{ steps.test.output.passed }}").evaluate(scope)).toBe(false);
    expect(caught(() => compileCondition("x {{ a }}")).code).toBe("EXPRESSION_SYNTAX");
  });
});

describe("interpolation", () => {
  it("replaces every {{ }} and writes objects as JSON", () => {
    expect(interpolate("deploy to {{ args.environment }} with {{ args.flags }}", scope)).toBe(
      'deploy to staging with {"fast":true}',
    );
  });

  it("keeps the type of a value that is exactly one expression", () => {
    expect(interpolateValue("{{ args.packages }}", scope)).toEqual(["a", "b"]);
    expect(interpolateDeep({ n: "{{ args.retries }}", s: "x-{{ args.retries }}" }, scope)).toEqual({
      n: 2,
      s: "x-2",
    });
  });

  it("fails on a missing key and names the key instead of writing an empty string", () => {
    const error = caught(() => interpolate("pnpm deploy --env {{ args.enviroment }}", scope));
    expect(error.code).toBe("INTERPOLATION_MISSING_KEY");
    expect(error.key).toBe("enviroment");
    expect(error.message).toContain('"enviroment"');
    expect(error.message).toContain("args.enviroment");
  });

  it("reports an unclosed {{ as a syntax error at its position", () => {
    const error = caught(() => interpolate("echo {{ args.x", scope));
    expect(error.code).toBe("EXPRESSION_SYNTAX");
    expect(error.offset).toBe(5);
  });

  it("shell-quotes values so an argument cannot inject a command", async () => {
    const dir = tempDir("quote");
    const marker = join(dir, "pwned");
    const hostile = {
      args: { name: `x; touch ${marker}`, other: `$(touch ${marker})`, quote: "it's `id`" },
    };
    const command = interpolate(
      "printf '%s\\n' {{ args.name }} {{ args.other }} {{ args.quote }}",
      hostile,
      "shell",
    );
    const shell = runProcess("sh", ["-c", command]);
    expect(await shell.exited).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(shell.stdout().split("\n").filter(Boolean)).toEqual([
      hostile.args.name,
      hostile.args.other,
      hostile.args.quote,
    ]);
  });
});
