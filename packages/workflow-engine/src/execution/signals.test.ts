import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { SignalTimeoutError } from "../errors/SignalTimeoutError.js";
import type { WorkflowContext } from "../types/context.js";
import type { DefinitionSnapshot, WorkflowDefinition } from "../types/definition.js";
import { WorkflowExecutor } from "./WorkflowExecutor.js";

const snapshot: DefinitionSnapshot = {
  name: "signals",
  format: "code",
  phases: ["wait"],
  argsSchema: {},
  source: { bundle: "bundle.mjs" },
};

function workflow(execute: (ctx: WorkflowContext) => Promise<unknown>): WorkflowDefinition {
  return { name: "signals", phases: ["wait"], argsSchema: {}, execute };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("signals", () => {
  it("a timed-out wait stays timed out on replay and leaves a later signal for the next wait", async () => {
    const executor = new WorkflowExecutor({ projectPath: tempDir("signals"), workerId: "w" });
    const definition = workflow(async (ctx) => {
      let first: unknown;
      try {
        // Long enough that a busy machine still parks the run before the deadline passes.
        first = await ctx.waitForSignal("go", { timeout: "500ms" });
      } catch (error) {
        if (!(error instanceof SignalTimeoutError)) throw error;
        first = "timed out";
      }
      const second = await ctx.waitForSignal("go");
      return { first, second };
    });
    const waiting = await executor.start({ runId: "r", definition, snapshot, args: {} }).done;
    expect(waiting).toMatchObject({ status: "waiting", wakeAt: expect.any(String) });
    await pause(Math.max(0, Date.parse(waiting.wakeAt ?? "") - Date.now()) + 20);
    // The deadline passed: the first wait times out and the second one waits.
    expect((await executor.resume("r").done).status).toBe("waiting");
    await executor.signal("r", "go", { sha: "abc" });
    // Replaying the first wait must not take the signal that arrived after its deadline.
    expect(await executor.resume("r").done).toMatchObject({
      status: "completed",
      result: { first: "timed out", second: { sha: "abc" } },
    });
  });

  it("polls take what arrived, in arrival order, once; a multi-signal wait takes the next", async () => {
    const executor = new WorkflowExecutor({ projectPath: tempDir("signals"), workerId: "w" });
    const seen: unknown[] = [];
    const definition = workflow(async (ctx) => {
      await ctx.waitForSignal("start");
      const first = await ctx.pollSignals(["work", "drain"]);
      const second = await ctx.pollSignals(["work", "drain"]);
      const next = await ctx.waitForSignals(["work", "drain"]);
      seen.push(first, second, next);
      return { first, second, next };
    });
    expect((await executor.start({ runId: "r", definition, snapshot, args: {} }).done).status).toBe(
      "waiting",
    );
    await executor.signal("r", "work", { n: 1 });
    await pause(2);
    await executor.signal("r", "drain");
    await executor.signal("r", "start");
    expect((await executor.resume("r").done).status).toBe("waiting");
    await executor.signal("r", "work", { n: 2 });
    const outcome = await executor.resume("r").done;
    expect(outcome).toMatchObject({
      status: "completed",
      result: {
        first: [
          { name: "work", payload: { n: 1 } },
          { name: "drain", payload: null },
        ],
        second: [],
        next: { name: "work", payload: { n: 2 } },
      },
    });
  });

  it("a rewind gives back the signals that the dropped steps took", async () => {
    const executor = new WorkflowExecutor({ projectPath: tempDir("signals"), workerId: "w" });
    const definition: WorkflowDefinition = {
      name: "signals",
      phases: ["first", "second"],
      argsSchema: {},
      async execute(ctx) {
        await ctx.step("prepare", { type: "function", phase: "first", fn: () => 1 });
        return ctx.waitForSignal("go", { phase: "second" });
      },
    };
    await executor.signal("r", "go", "one").catch(() => undefined);
    await executor.start({
      runId: "r",
      definition,
      snapshot: { ...snapshot, phases: ["first", "second"] },
      args: {},
    }).done;
    await executor.signal("r", "go", "one");
    expect(await executor.resume("r").done).toMatchObject({ status: "completed", result: "one" });
    await executor.rewind("r", "second");
    expect(await executor.resume("r").done).toMatchObject({ status: "completed", result: "one" });
  });
});
