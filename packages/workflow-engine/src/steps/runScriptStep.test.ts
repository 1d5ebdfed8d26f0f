import { existsSync, mkdirSync, symlinkSync } from "node:fs";
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

describe("a step's cwd", () => {
  it.each(["/etc", "../../..", "sub/../../.."])(
    "refuses %s, outside the workspace, before running",
    async (cwd) => {
      const dir = tempDir("script");
      const marker = join(dir, "ran");
      const run = runScriptStep({ command: `touch ${marker}`, cwd }, attempt(dir));
      await expect(run).rejects.toThrow(/cwd ".*" is outside the run's workspace/);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it("refuses a symlink inside the workspace that points out of it", async () => {
    const dir = tempDir("script");
    symlinkSync("/etc", join(dir, "escape"));
    await expect(runScriptStep({ command: "pwd", cwd: "escape" }, attempt(dir))).rejects.toThrow(
      /outside the run's workspace/,
    );
  });

  it("resolves a relative cwd against the workspace", async () => {
    const dir = tempDir("script");
    mkdirSync(join(dir, "packages", "web"), { recursive: true });
    const out = await runScriptStep({ command: "pwd", cwd: "packages/web" }, attempt(dir));
    expect(out.data.stdout.trim()).toBe(join(dir, "packages", "web"));
  });
});
