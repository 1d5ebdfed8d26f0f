import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { ExpressionError } from "../expressions/ExpressionError.js";
import {
  type MemoryContextOptions,
  MemoryWorkflowContext,
} from "../testing/MemoryWorkflowContext.js";
import type { StepConfig } from "../types/step.js";
import { parseYamlTemplate } from "./parseYamlTemplate.js";
import { RoutingLimitError } from "./RoutingLimitError.js";
import { YamlStepFailedError } from "./YamlStepFailedError.js";
import { yamlDefinition } from "./yamlDefinition.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/templates/valid/", import.meta.url));

function definitionOf(text: string) {
  return yamlDefinition(parseYamlTemplate(text, "inline.yaml"));
}

function fixture(name: string) {
  const file = join(fixtures, name);
  return yamlDefinition(parseYamlTemplate(readFileSync(file, "utf8"), file));
}

function scriptCommands(ctx: MemoryWorkflowContext): Record<string, StepConfig> {
  const out: Record<string, StepConfig> = {};
  for (const call of ctx.calls) if (call.method === "step") out[call.key] = call.config;
  return out;
}

async function run(text: string, options: MemoryContextOptions) {
  const ctx = new MemoryWorkflowContext(options);
  const result = await definitionOf(text).execute(ctx);
  return { ctx, result };
}

// Fails until it has run `passOn` times (counted in a file), like a flaky test suite that
// an agent gradually fixes.
const countingTest =
  "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -ge {{ args.passOn }} ]";

describe("routing", () => {
  const loop = `
name: Loop
phases: [test, fix]
steps:
  - id: test
    phase: test
    type: script
    command: ${JSON.stringify(countingTest)}
    maxVisits: 3
    onSuccess: done
    onFailure: fix-tests
  - id: fix-tests
    phase: fix
    type: agent
    agent: claude
    prompt: "fix attempt after exit {{ steps.test.output.exitCode }}"
    onSuccess: test
  - id: done
    phase: test
    type: script
    command: echo green
`;

  it("loops test → fix-tests → test until the tests pass, revisits keyed #2, #3", async () => {
    const dir = tempDir("loop");
    const { ctx, result } = await run(loop, { args: { passOn: 3 }, workdir: dir });
    expect(ctx.stepKeys).toEqual(["test", "fix-tests", "test#2", "fix-tests#2", "test#3", "done"]);
    expect(readFileSync(join(dir, "count"), "utf8").trim()).toBe("3");
    expect(result).toMatchObject({
      steps: { test: { status: "completed" }, done: { status: "completed" } },
    });
    const fix = scriptCommands(ctx)["fix-tests#2"];
    expect(fix?.type === "agent" && fix.prompt).toBe("fix attempt after exit 1");
  });

  it("gives up with a clear reason when a step would exceed maxVisits", async () => {
    const dir = tempDir("loop");
    const ctx = new MemoryWorkflowContext({ args: { passOn: 99 }, workdir: dir });
    const failure = definitionOf(loop).execute(ctx);
    await expect(failure).rejects.toThrow(RoutingLimitError);
    await expect(failure).rejects.toThrow(
      'giving up: step "test" was reached 4 times, more than its maxVisits of 3 (routed there by fix-tests.onSuccess)',
    );
    expect(ctx.stepKeys).toEqual([
      "test",
      "fix-tests",
      "test#2",
      "fix-tests#2",
      "test#3",
      "fix-tests#3",
    ]);
  });

  it("routes onSuccess by a condition object (seed 003's then/else)", async () => {
    const text = `
name: Conditional
phases: [a]
steps:
  - id: check
    phase: a
    type: agent
    agent: claude
    prompt: check
    onSuccess:
      condition: "{{ steps.check.output.passed }}"
      then: document
      else: fix
  - id: fix
    phase: a
    type: agent
    agent: claude
    prompt: fix
    onSuccess: check
  - id: document
    phase: a
    type: agent
    agent: claude
    prompt: document
`;
    let checks = 0;
    const { ctx } = await run(text, {
      agent: (key) => (key.startsWith("check") ? { passed: ++checks === 2 } : { text: "done" }),
    });
    expect(ctx.stepKeys).toEqual(["check", "fix", "check#2", "document"]);
  });

  it("fails the run when a step fails with no onFailure, and skips nothing silently", async () => {
    const text = `
name: Fails
phases: [a]
steps:
  - id: broken
    phase: a
    type: script
    command: exit 3
  - id: after
    phase: a
    type: script
    command: "true"
`;
    const ctx = new MemoryWorkflowContext({ workdir: tempDir("fail") });
    await expect(definitionOf(text).execute(ctx)).rejects.toThrow(YamlStepFailedError);
    expect(ctx.stepKeys).toEqual(["broken"]);
  });

  it("goes on after a failed step with continueOnError and exposes its status", async () => {
    const text = `
name: Continues
phases: [a]
steps:
  - id: flaky
    phase: a
    type: script
    command: exit 1
    continueOnError: true
  - id: report
    phase: a
    type: script
    command: echo {{ steps.flaky.status }}
`;
    const { ctx } = await run(text, { workdir: tempDir("continue") });
    expect(ctx.getStepResult("report")?.data).toMatchObject({ stdout: "failed\n" });
  });
});

describe("needs and parallel groups", () => {
  it("runs ready steps together, never more than the concurrency limit, dependents last", async () => {
    const text = `
name: Graph
phases: [a]
concurrency: 2
steps:
  - { id: one, phase: a, type: script, command: "true", needs: [] }
  - { id: two, phase: a, type: script, command: "true" }
  - { id: three, phase: a, type: script, command: "true" }
  - { id: four, phase: a, type: script, command: "true" }
  - { id: last, phase: a, type: script, command: "true", needs: [one, two, three, four] }
`;
    const { ctx } = await run(text, { workdir: tempDir("graph") });
    expect(ctx.maxConcurrentSteps).toBe(2);
    expect(ctx.stepKeys.at(-1)).toBe("last/last");
    expect(new Set(ctx.stepKeys)).toEqual(
      new Set(["one/one", "two/two", "three/three", "four/four", "last/last"]),
    );
  });

  it("runs a parallel group's children with their own needs and concurrency", async () => {
    const text = `
name: Group
phases: [a]
steps:
  - id: checks
    concurrency: 3
    parallel:
      - { id: lint, phase: a, type: script, command: "true" }
      - { id: unit, phase: a, type: script, command: "true" }
      - { id: e2e, phase: a, type: script, command: "true", needs: [unit] }
  - { id: after, phase: a, type: script, command: "true" }
`;
    const { ctx } = await run(text, { workdir: tempDir("group") });
    expect(ctx.maxConcurrentSteps).toBe(2);
    const keys = ctx.stepKeys;
    expect(keys.indexOf("e2e/e2e")).toBeGreaterThan(keys.indexOf("unit/unit"));
    expect(new Set(keys)).toEqual(new Set(["lint/lint", "unit/unit", "e2e/e2e", "after"]));
    expect(keys.at(-1)).toBe("after");
  });

  it("skips the dependents of a step that failed with continueOnError", async () => {
    const text = `
name: Blocked
phases: [a]
steps:
  - { id: build, phase: a, type: script, command: "exit 1", continueOnError: true, needs: [] }
  - { id: ship, phase: a, type: script, command: "true", needs: [build] }
  - { id: announce, phase: a, type: script, command: "true", needs: [ship] }
`;
    const { ctx, result } = await run(text, { workdir: tempDir("blocked") });
    expect(ctx.getStepResult("ship/ship")).toEqual({
      stepId: "ship/ship",
      status: "skipped",
      data: { reason: 'needs "build", which failed' },
    });
    expect(ctx.getStepResult("announce/announce")?.data).toEqual({
      reason: 'needs "ship", which was skipped after a failure',
    });
    expect(result).toMatchObject({
      steps: {
        build: { status: "failed" },
        ship: { status: "skipped" },
        announce: { status: "skipped" },
      },
    });
  });
});

describe("foreach", () => {
  it("runs the step once per element with the `as` variable, keyed under id[index]", async () => {
    const text = `
name: Each
phases: [a]
steps:
  - id: build
    phase: a
    type: script
    foreach: args.packages
    as: pkg
    command: echo building {{ pkg }} {{ index }}
  - id: summary
    phase: a
    type: script
    command: echo {{ size(steps.build.output) }}
`;
    const { ctx } = await run(text, {
      args: { packages: ["core", "web ui"] },
      workdir: tempDir("each"),
    });
    expect(ctx.stepKeys).toEqual(["build[0]/build", "build[1]/build", "summary"]);
    expect(ctx.getStepResult("build[1]/build")?.data).toMatchObject({
      stdout: "building web ui 1\n",
    });
    expect(ctx.getStepResult("summary")?.data).toMatchObject({ stdout: "2\n" });
  });

  it("fails clearly when foreach does not yield a list", async () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - { id: b, phase: a, type: script, foreach: args.n, command: x }\n";
    await expect(run(text, { args: { n: 3 } })).rejects.toThrow(
      'step "b" foreach: `args.n` must yield a list, got 3',
    );
  });
});

describe("if", () => {
  it("records a false `if` as a skipped step through ctx.step and carries on", async () => {
    const text = `
name: Conditional
phases: [a]
steps:
  - { id: deploy, phase: a, type: script, command: "exit 9", if: "args.environment == 'production'" }
  - { id: after, phase: a, type: script, command: "echo {{ steps.deploy.status }}" }
`;
    const { ctx } = await run(text, { args: { environment: "dev" }, workdir: tempDir("if") });
    const skipped = scriptCommands(ctx).deploy;
    expect(skipped).toMatchObject({
      type: "function",
      phase: "a",
      skip: { reason: "if `args.environment == 'production'` was false" },
    });
    expect(ctx.getStepResult("deploy")?.status).toBe("skipped");
    expect(ctx.getStepResult("after")?.data).toMatchObject({ stdout: "skipped\n" });
  });

  it("treats a skip step as skipped even when an executor runs its fn instead", async () => {
    const ctx = new MemoryWorkflowContext({ workdir: tempDir("if") });
    const original = ctx.step.bind(ctx);
    ctx.step = (id, config) => original(id, { ...config, skip: undefined } as typeof config);
    const text =
      "name: X\nphases: [a]\nsteps:\n  - { id: s, phase: a, type: script, command: 'exit 1', if: 'false' }\n";
    const result = await definitionOf(text).execute(ctx);
    expect(ctx.getStepResult("s")?.data).toEqual({ skipped: true, reason: "if `false` was false" });
    expect(result).toMatchObject({ steps: { s: { status: "skipped" } } });
  });
});

describe("finally", () => {
  const text = `
name: Cleanup
phases: [work, cleanup]
steps:
  - { id: work, phase: work, type: script, command: "exit 2" }
finally:
  - { id: clean, phase: cleanup, type: script, command: "echo run {{ run.status }}" }
`;

  it("runs finally steps after a failure and still fails the run with the original error", async () => {
    const ctx = new MemoryWorkflowContext({ workdir: tempDir("finally") });
    await expect(definitionOf(text).execute(ctx)).rejects.toThrow(
      'step "work" failed: exit code 2',
    );
    expect(ctx.stepKeys).toEqual(["work", "clean"]);
    expect(ctx.getStepResult("clean")?.data).toMatchObject({ stdout: "run failed\n" });
  });

  it("runs finally steps when the run is cancelled, seeing run.status cancelled", async () => {
    class RunCancelledError extends Error {
      override name = "RunCancelledError";
    }
    const ctx = new MemoryWorkflowContext({ workdir: tempDir("finally") });
    const original = ctx.step.bind(ctx);
    ctx.step = (id, config) =>
      id === "work" ? Promise.reject(new RunCancelledError("cancelled")) : original(id, config);
    await expect(definitionOf(text).execute(ctx)).rejects.toThrow(RunCancelledError);
    expect(ctx.getStepResult("clean")?.data).toMatchObject({ stdout: "run cancelled\n" });
  });
});

describe("approval, child workflows, signals and sleep", () => {
  const text = `
name: Release
phases: [release]
argsSchema: { type: object }
steps:
  - id: approve
    phase: release
    type: approval
    message: Ship {{ args.version }}?
    onFailure: rejected
  - id: deploy
    phase: release
    type: workflow
    workflow: deploy-service
    args:
      version: "{{ args.version }}"
      replicas: "{{ args.replicas }}"
      label: "v{{ args.version }}"
  - id: wait-smoke
    phase: release
    type: signal
    signal: smoke-{{ args.version }}
  - id: settle
    phase: release
    type: sleep
    duration: 5m
    onSuccess: end
  - id: rejected
    phase: release
    type: script
    command: echo rejected
  - id: end
    phase: release
    type: script
    command: echo end
`;

  it("asks for approval, calls the child workflow with typed args, waits and sleeps", async () => {
    const { ctx, result } = await run(text, {
      args: { version: "1.2", replicas: 3 },
      workdir: tempDir("release"),
      signals: { "smoke-1.2": { ok: true } },
      child: () => ({ runId: "child-7", status: "completed", result: { url: "https://x" } }),
    });
    expect(ctx.calls.filter((call) => call.method !== "step")).toEqual([
      { method: "approval", id: "approve", message: "Ship 1.2?", phase: "release" },
      {
        method: "run",
        template: "deploy-service",
        args: { version: "1.2", replicas: 3, label: "v1.2" },
        options: { id: "deploy", name: "deploy", phase: "release" },
      },
      { method: "waitForSignal", name: "smoke-1.2" },
      { method: "sleep", id: "settle", duration: "5m" },
    ]);
    expect(result).toMatchObject({
      steps: { deploy: { output: { url: "https://x" } }, "wait-smoke": { output: { ok: true } } },
    });
    expect(ctx.stepKeys).toEqual(["end"]);
  });

  it("routes a rejected approval to onFailure", async () => {
    const { ctx } = await run(text, {
      args: { version: "1.2", replicas: 1 },
      workdir: tempDir("release"),
      approvals: { approve: { approved: false, by: "alice" } },
    });
    expect(ctx.stepKeys).toEqual(["rejected", "end"]);
    expect(ctx.calls.some((call) => call.method === "run")).toBe(false);
  });

  it("fails the run when a child run fails and nothing handles it", async () => {
    const child = `
name: Parent
phases: [a]
steps:
  - { id: sub, phase: a, type: workflow, workflow: other }
`;
    const ctx = new MemoryWorkflowContext({ child: () => ({ runId: "c-1", status: "failed" }) });
    await expect(definitionOf(child).execute(ctx)).rejects.toThrow(
      'step "sub" failed: child run c-1 ended failed',
    );
  });
});

describe("interpolation at run time", () => {
  it("fails on a missing key, naming the step, the field and the key", async () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - { id: deploy, phase: a, type: script, command: 'deploy {{ args.target }}' }\n";
    const failure = run(text, { args: {} });
    await expect(failure).rejects.toThrow(ExpressionError);
    await expect(failure).rejects.toMatchObject({
      code: "INTERPOLATION_MISSING_KEY",
      key: "target",
    });
    await expect(failure).rejects.toThrow(
      'step "deploy" command: `args.target` refers to a missing key "target"',
    );
  });

  it("passes a hostile argument to the real shell as one literal word", async () => {
    const dir = tempDir("inject");
    const marker = join(dir, "pwned");
    const text =
      "name: X\nphases: [a]\nsteps:\n  - { id: echo, phase: a, type: script, command: 'printf %s {{ args.name }} > out.txt' }\n";
    await run(text, { args: { name: `x; touch ${marker}` }, workdir: dir });
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe(`x; touch ${marker}`);
  });

  it("passes an argv command without a shell and without quoting, and interpolates cwd and env", async () => {
    const dir = tempDir("argv");
    const text = `
name: Argv
phases: [a]
steps:
  - id: print
    phase: a
    type: script
    command: [printf, "%s|%s", "{{ args.name }}", "$GREETING"]
    cwd: "{{ args.dir }}"
    env: { GREETING: "hi {{ args.name }}" }
  - id: shell
    phase: a
    type: script
    command: printf %s "$GREETING"
    env: { GREETING: "hi {{ args.name }}" }
`;
    const { ctx } = await run(text, { args: { name: "a b; c", dir } });
    expect(scriptCommands(ctx).print).toMatchObject({
      command: ["printf", "%s|%s", "a b; c", "$GREETING"],
      cwd: dir,
      env: { GREETING: "hi a b; c" },
    });
    expect(ctx.getStepResult("print")?.data).toMatchObject({ stdout: "a b; c|$GREETING" });
    expect(ctx.getStepResult("shell")?.data).toMatchObject({ stdout: "hi a b; c" });
  });

  it("runs seed 004's simple pipeline with the environment quoted into the deploy command", async () => {
    const commands: string[] = [];
    const ctx = new MemoryWorkflowContext({
      args: { environment: "staging" },
      script: (_key, config) => {
        commands.push(String(config.command));
        return { exitCode: 0, stdout: "", stderr: "" };
      },
    });
    await fixture("simple-pipeline.yaml").execute(ctx);
    expect(commands).toEqual([
      "pnpm install",
      "pnpm build",
      "pnpm test",
      "pnpm deploy --env staging",
    ]);
    expect(ctx.calls.map((call) => call.method === "step" && call.config.phase)).toEqual([
      "build",
      "build",
      "test",
      "deploy",
    ]);
  });
});
