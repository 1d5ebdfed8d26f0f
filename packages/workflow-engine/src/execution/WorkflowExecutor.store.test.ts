import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import { CheckpointCorruptError } from "../errors/CheckpointCorruptError.js";
import { FileRunStore } from "../store/FileRunStore.js";
import type { RunStore } from "../store/RunStore.js";
import type { WorkflowContext } from "../types/context.js";
import type { DefinitionSnapshot, WorkflowDefinition } from "../types/definition.js";
import { WorkflowExecutor } from "./WorkflowExecutor.js";

const snapshot: DefinitionSnapshot = {
  name: "test",
  format: "code",
  phases: ["build"],
  argsSchema: {},
  source: { bundle: "bundle.mjs" },
};

function workflow(execute: (ctx: WorkflowContext) => Promise<unknown>): WorkflowDefinition {
  return { name: "test", phases: snapshot.phases, argsSchema: {}, execute };
}

const noop = (id: string, calls: string[]) => ({
  type: "function" as const,
  phase: "build",
  fn: () => {
    calls.push(id);
    return id;
  },
});

/** A FileRunStore whose checkpoint writes fail from the `failFrom`-th on. */
class FailingStore extends FileRunStore {
  writes = 0;
  constructor(
    projectPath: string,
    private failFrom: number,
  ) {
    super(projectPath);
  }
  override async writeCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void> {
    this.writes += 1;
    if (this.writes >= this.failFrom) throw new Error("disk full (store refused the write)");
    await super.writeCheckpoint(runId, checkpoint);
  }
}

describe("WorkflowExecutor with a RunStore", () => {
  it("keeps runs in the store it is given", async () => {
    const projectPath = tempDir("engine");
    const store: RunStore = new FileRunStore(projectPath);
    const executor = new WorkflowExecutor({ projectPath, workerId: "w1", store });
    const calls: string[] = [];
    const def = workflow(async (ctx) => (await ctx.step("a", noop("a", calls))).data);
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(outcome).toMatchObject({ status: "completed", result: "a" });
    expect(store.loadCheckpoint("r")?.checkpoint.step_results.a?.data).toBe("a");
  });

  it("fails a run with the store's error when a checkpoint cannot be written, announcing nothing it did not record", async () => {
    const projectPath = tempDir("engine");
    // write 1: the run is running; write 2: step a; write 3 (step b) and on: refused
    const store = new FailingStore(projectPath, 3);
    const completed: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w1",
      store,
      observer: { onStepCompleted: (e) => void completed.push(e.stepKey) },
    });
    const calls: string[] = [];
    const def = workflow(async (ctx) => {
      await ctx.step("a", noop("a", calls));
      await ctx.step("b", noop("b", calls));
      await ctx.step("c", noop("c", calls));
    });
    await expect(
      executor.start({ runId: "r", definition: def, snapshot, args: {} }).done,
    ).rejects.toThrow("disk full (store refused the write)");
    expect(calls).toEqual(["a", "b"]);
    expect(completed).toEqual(["a"]);
    const checkpoint = new FileRunStore(projectPath).loadCheckpoint("r")?.checkpoint;
    expect(checkpoint?.completed_step_ids).toEqual(["a"]);
    expect(checkpoint?.step_results.b).toBeUndefined();
    // The lease was let go: the run can be resumed once the store takes writes again.
    const again = new WorkflowExecutor({ projectPath, workerId: "w2" });
    expect((await again.resume("r", { definition: def }).done).status).toBe("completed");
    expect(calls).toEqual(["a", "b", "b", "c"]);
  });

  it("resumes a run whose checkpoint was written by seed 004's layout (its six fields only)", async () => {
    const projectPath = tempDir("engine");
    const executor = new WorkflowExecutor({ projectPath, workerId: "w1" });
    const calls: string[] = [];
    const def = workflow(async (ctx) => {
      const a = await ctx.step("a", noop("a", calls));
      const b = await ctx.step("b", noop("b", calls));
      return [a.data, b.data];
    });
    const store = new FileRunStore(projectPath);
    store.pinRun("r", { snapshot, args: {} });
    const dir = store.paths("r").checkpoints;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "step-0.json"),
      JSON.stringify({
        execution_id: "r",
        timestamp: "2025-01-01T00:00:00.000Z",
        current_phase: "build",
        current_step_index: 1,
        completed_step_ids: ["a"],
        step_results: { a: { stepId: "a", status: "completed", data: "recorded a" } },
      }),
    );
    const outcome = await executor.resume("r", { definition: def }).done;
    expect(outcome).toMatchObject({ status: "completed", result: ["recorded a", "b"] });
    expect(calls).toEqual(["b"]);
  });

  it("refuses to resume a run whose checkpoint has the wrong shape, naming the field, and runs nothing", async () => {
    const projectPath = tempDir("engine");
    const started: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w1",
      observer: { onStepStarted: (e) => void started.push(e.stepKey) },
    });
    const calls: string[] = [];
    const def = workflow(async (ctx) => ctx.step("a", noop("a", calls)));
    const store = new FileRunStore(projectPath);
    store.pinRun("r", { snapshot, args: {} });
    const dir = store.paths("r").checkpoints;
    mkdirSync(dir, { recursive: true });
    const wrong = { execution_id: "r", completed_step_ids: "a", step_results: {} };
    writeFileSync(join(dir, "step-0.json"), JSON.stringify(wrong));
    const done = executor.resume("r", { definition: def }).done;
    await expect(done).rejects.toBeInstanceOf(CheckpointCorruptError);
    await expect(done).rejects.toThrow(/completed_step_ids/);
    expect(calls).toEqual([]);
    expect(started).toEqual([]);
    expect(readdirSync(dir)).toEqual(["step-0.json"]);
    expect(store.leaseExpired("r")).toBe(true);
  });

  it("runs a step outside the template like one of its steps, and refuses one while the run executes", async () => {
    const projectPath = tempDir("engine");
    const events: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w1",
      observer: {
        onStepStarted: (e) => void events.push(`started ${e.stepKey} #${e.sequence} ${e.logDir}`),
        onStepCompleted: (e) => void events.push(`completed ${e.stepKey} ${e.status}`),
      },
    });
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const def = workflow(async (ctx) => {
      await ctx.step("a", noop("a", calls));
      await gate;
      return "done";
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = executor.runExtraStep("r", { key: "extra", config: noop("extra", calls) });
    await expect(refused.done).rejects.toMatchObject({ code: "RUN_ACTIVE" });
    release();
    await handle.done;
    const extra = executor.runExtraStep("r", {
      key: "review-1",
      config: { ...noop("review-1", calls), name: "Follow-up" },
      sequence: 7,
    });
    await extra.started;
    expect(await extra.done).toEqual({ stepId: "review-1", status: "completed", data: "review-1" });
    const logDir = join(new FileRunStore(projectPath).paths("r").logs, "review-1");
    expect(readdirSync(logDir).sort()).toEqual(["input.json", "output.json", "summary.md"]);
    expect(events.slice(-2)).toEqual([
      "started review-1 #7 .agent/workflows/executions/r/logs/review-1",
      "completed review-1 completed",
    ]);
    // Not part of the template's record: a resume never replays it.
    expect(
      new FileRunStore(projectPath).loadCheckpoint("r")?.checkpoint.completed_step_ids,
    ).toEqual(["a"]);
  });
});
