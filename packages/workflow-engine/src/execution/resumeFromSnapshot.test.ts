import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { runPaths } from "../storage/runPaths.js";
import { loadTemplate, SNAPSHOT_BUNDLE_FILE } from "../templates/loadTemplate.js";
import type { LoadedTemplate } from "../types/definition.js";
import type { RunObserver, StepStatus } from "../types/observer.js";
import { WorkflowExecutor } from "./WorkflowExecutor.js";

function ok(loaded: LoadedTemplate): Extract<LoadedTemplate, { ok: true }> {
  if (!loaded.ok) throw new Error(`expected the template to load: ${loaded.error.message}`);
  return loaded;
}

const codeTemplate = (
  greeting: string,
) => `import { defineWorkflow } from "@phaseboard/workflow-engine";
export default defineWorkflow({
  name: "Greet",
  phases: ["wait", "greet"],
  async execute(ctx) {
    await ctx.waitForSignal("go");
    const hello = await ctx.step("hello", { phase: "greet", type: "function", fn: () => ${JSON.stringify(greeting)} });
    return hello.data;
  },
});
`;

const yamlTemplate = `name: Gate
phases: [wait, ship]
steps:
  - id: gate
    phase: wait
    type: signal
    signal: go
  - id: never
    phase: ship
    type: script
    command: echo never
    if: "false"
  - id: ship
    phase: ship
    type: script
    command: echo shipped
`;

describe("a run resumed by another process", () => {
  it("runs the code its run pinned, not the file as edited since", async () => {
    const projectPath = tempDir("pinned");
    const file = join(projectPath, "greet.ts");
    writeFileSync(file, codeTemplate("hello from v1"));
    const loaded = ok(await loadTemplate(file));
    const first = new WorkflowExecutor({ projectPath, workerId: "a" });
    const started = await first.start({
      runId: "r",
      definition: loaded.definition,
      snapshot: loaded.snapshot,
      ...(loaded.bundle !== undefined && { bundle: loaded.bundle }),
      args: {},
    }).done;
    expect(started.status).toBe("waiting");
    expect(readFileSync(join(runPaths(projectPath, "r").root, SNAPSHOT_BUNDLE_FILE), "utf8")).toBe(
      loaded.bundle,
    );

    writeFileSync(file, codeTemplate("hello from v2"));
    const restarted = new WorkflowExecutor({ projectPath, workerId: "b" });
    await restarted.signal("r", "go");
    expect(await restarted.resume("r").done).toMatchObject({
      status: "completed",
      result: "hello from v1",
    });
  });

  it("rebuilds a YAML run from its definition.json and shows a false `if` as skipped", async () => {
    const projectPath = tempDir("yaml-resume");
    const file = join(projectPath, "gate.yaml");
    writeFileSync(file, yamlTemplate);
    const loaded = ok(await loadTemplate(file));
    const statuses: Record<string, StepStatus> = {};
    const observer: RunObserver = {
      onStepCompleted: (event) => {
        statuses[event.stepKey] = event.status;
      },
    };
    const first = new WorkflowExecutor({ projectPath, workerId: "a", observer });
    const waiting = await first.start({
      runId: "r",
      definition: loaded.definition,
      snapshot: loaded.snapshot,
      args: {},
    }).done;
    expect(waiting.status).toBe("waiting");

    const restarted = new WorkflowExecutor({ projectPath, workerId: "b", observer });
    await restarted.signal("r", "go");
    const outcome = await restarted.resume("r").done;
    expect(outcome.status).toBe("completed");
    // A signal step is keyed by the signal it waits for.
    expect(statuses).toEqual({ go: "completed", never: "skipped", ship: "completed" });
    expect(outcome.result).toMatchObject({
      steps: { never: { status: "skipped" }, ship: { status: "completed" } },
    });
  });

  it("never runs a skipped step's work, and replays it as skipped", async () => {
    const projectPath = tempDir("skip");
    const calls: string[] = [];
    const executor = new WorkflowExecutor({ projectPath, workerId: "a" });
    const definition = {
      name: "skip",
      phases: ["one"],
      argsSchema: {},
      async execute(ctx: import("../types/context.js").WorkflowContext) {
        const skipped = await ctx.step("maybe", {
          type: "function",
          phase: "one",
          skip: { reason: "not today" },
          fn: () => calls.push("maybe"),
        });
        await ctx.waitForSignal("go");
        return skipped;
      },
    };
    const snapshot = {
      name: "skip",
      format: "code" as const,
      phases: ["one"],
      argsSchema: {},
      source: { bundle: "b.mjs" },
    };
    expect((await executor.start({ runId: "r", definition, snapshot, args: {} }).done).status).toBe(
      "waiting",
    );
    await executor.signal("r", "go");
    const outcome = await executor.resume("r").done;
    expect(calls).toEqual([]);
    expect(outcome.result).toEqual({
      stepId: "maybe",
      status: "skipped",
      data: { skipped: true, reason: "not today" },
    });
  });
});
