import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { ScriptFailedError } from "../errors/ScriptFailedError.js";
import type { StepLogEvent } from "../types/observer.js";
import { runScriptStep } from "./runScriptStep.js";
import type { StepAttempt } from "./StepAttempt.js";

function attempt(workdir: string, events: Omit<StepLogEvent, "at">[] = []): StepAttempt {
  return {
    stepKey: "s",
    attempt: 1,
    signal: new AbortController().signal,
    workdir,
    emit: (e) => void events.push(e),
    killGraceMs: 200,
  };
}

describe("runScriptStep", () => {
  it("runs an argv array without a shell, so metacharacters stay literal", async () => {
    const dir = tempDir("script");
    const marker = join(dir, "pwned");
    const out = await runScriptStep(
      { command: ["printf", "%s", `x; touch ${marker}`] },
      attempt(dir),
    );
    expect(out.data.stdout).toBe(`x; touch ${marker}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it("runs strings with sh -c in the step's cwd and env, one event per line", async () => {
    const dir = tempDir("script");
    const events: Omit<StepLogEvent, "at">[] = [];
    const out = await runScriptStep(
      { command: 'pwd; echo "$GREETING"; echo warn >&2', env: { GREETING: "hi" } },
      attempt(dir, events),
    );
    expect(out.data.stdout).toBe(`${dir}\nhi\n`);
    expect(events).toEqual(
      expect.arrayContaining([
        { kind: "stdout", text: dir },
        { kind: "stdout", text: "hi" },
        { kind: "stderr", text: "warn" },
      ]),
    );
  });

  it("fails with the exit code and the end of stderr", async () => {
    const dir = tempDir("script");
    const failing = runScriptStep({ command: "echo broken >&2; exit 4" }, attempt(dir));
    await expect(failing).rejects.toBeInstanceOf(ScriptFailedError);
    await expect(failing).rejects.toMatchObject({
      exitCode: 4,
      message: "script ended with exit code 4: broken",
    });
  });

  it("fails clearly when the program does not exist", async () => {
    const dir = tempDir("script");
    await expect(runScriptStep({ command: ["no-such-program-xyz"] }, attempt(dir))).rejects.toThrow(
      /cannot start no-such-program-xyz/,
    );
  });
});
