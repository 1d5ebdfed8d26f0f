import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { WorkflowExecutor } from "../execution/WorkflowExecutor.js";
import { runPaths } from "../storage/runPaths.js";
import type { StepLogEvent } from "../types/observer.js";
import { runScriptStep } from "./runScriptStep.js";
import type { StepAttempt } from "./StepAttempt.js";

const TOKEN = "pb-token-3f1c9d0e7a5b";
const KEY = "sk-ant-api03-secret-value";
const saved = { ...process.env };

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

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

function readTree(dir: string): string {
  let out = "";
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += readFileSync(join(entry.parentPath, entry.name), "utf8");
  }
  return out;
}

describe("a step's environment", () => {
  it("never holds PHASEBOARD_TOKEN or the server's other secrets: env | sort shows neither", async () => {
    Object.assign(process.env, {
      PHASEBOARD_TOKEN: TOKEN,
      ANTHROPIC_API_KEY: KEY,
      AWS_SECRET_ACCESS_KEY: "aws-secret-value-123",
      UNRELATED_SETTING: "not-for-steps",
      PHASEBOARD_HOME: "/tmp/pb-home",
    });
    const projectPath = tempDir("env");
    const progress: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w1",
      observer: { onStepProgress: (e) => void progress.push(JSON.stringify(e.event)) },
    });
    const outcome = await executor.start({
      runId: "r1",
      definition: {
        name: "env",
        phases: ["a"],
        argsSchema: {},
        execute: async (ctx) =>
          (await ctx.step("env", { type: "script", phase: "a", command: "env | sort" })).data,
      },
      snapshot: {
        name: "env",
        format: "code",
        phases: ["a"],
        argsSchema: {},
        source: { bundle: "bundle.mjs" },
      },
      args: {},
    }).done;
    expect(outcome.status).toBe("completed");
    const stdout = (outcome.result as { stdout: string }).stdout;
    expect(stdout).toContain("PATH=");
    expect(stdout).toContain("PHASEBOARD_HOME=/tmp/pb-home");
    for (const hidden of ["PHASEBOARD_TOKEN", "ANTHROPIC_API_KEY", "AWS_SECRET", "UNRELATED"]) {
      expect(stdout).not.toContain(hidden);
    }
    const stored = readTree(runPaths(projectPath, "r1").root) + progress.join("\n");
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(KEY);
  });

  it("passes what the template's env and PHASEBOARD_PASS_ENV grant", async () => {
    Object.assign(process.env, {
      PHASEBOARD_PASS_ENV: "MY_TOOL_*, DEPLOY_TARGET",
      MY_TOOL_HOME: "/opt/tool",
      DEPLOY_TARGET: "staging",
      OTHER: "no",
    });
    const dir = tempDir("env");
    const out = await runScriptStep(
      { command: "env | sort", env: { GREETING: "hi" } },
      attempt(dir),
    );
    expect(out.data.stdout).toMatch(/^MY_TOOL_HOME=\/opt\/tool$/m);
    expect(out.data.stdout).toMatch(/^DEPLOY_TARGET=staging$/m);
    expect(out.data.stdout).toMatch(/^GREETING=hi$/m);
    expect(out.data.stdout).not.toMatch(/^OTHER=/m);
  });

  it("redacts the value of a known secret a step prints anyway, in events and the result", async () => {
    process.env.PHASEBOARD_TOKEN = TOKEN;
    const dir = tempDir("env");
    const events: Omit<StepLogEvent, "at">[] = [];
    const out = await runScriptStep(
      { command: `echo "token is ${TOKEN}" >&2; echo "${TOKEN}"`, env: {} },
      attempt(dir, events),
      { allowNonZeroExit: true },
    );
    expect(JSON.stringify({ out, events })).not.toContain(TOKEN);
    expect(out.data.stderr).toBe("token is [redacted PHASEBOARD_TOKEN]\n");
  });
});

describe("a step's output", () => {
  it("stays bounded for a 200 MB line without a newline, and the cut is said in the log", async () => {
    const dir = tempDir("big");
    const events: Omit<StepLogEvent, "at">[] = [];
    const out = await runScriptStep(
      {
        command:
          "head -c 200000000 /dev/zero | tr '\\0' a; echo; echo after; yes | head -c 2000000",
      },
      attempt(dir, events),
    );
    expect(out.data.stdout.length).toBeLessThan(1024 * 1024 + 200);
    expect(out.data.stdout).toMatch(
      /^a{65536} \[line cut: 199934464 more characters not logged\]\nafter\ny\n/,
    );
    expect(out.data.stdout).toMatch(/\[output cut: \d+ more characters not kept/);
    const texts = events.map((event) => event.text ?? "");
    expect(texts.reduce((max, text) => Math.max(max, text.length), 0)).toBeLessThan(
      64 * 1024 + 100,
    );
    expect(texts[0]).toMatch(/\[line cut: 199934464 more characters not logged\]$/);
    expect(texts).toContain("after");
  }, 120_000);
});
