import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../checkpoint/Checkpoint.js";
import { ExecutionsDirNotWritableError } from "../errors/ExecutionsDirNotWritableError.js";
import { NonRetriableStepError } from "../errors/NonRetriableStepError.js";
import { RunCancelledError } from "../errors/RunCancelledError.js";
import { RunLockedError } from "../errors/RunLockedError.js";
import { processGroupAlive } from "../steps/killProcessGroup.js";
import { runPaths } from "../storage/runPaths.js";
import { FileRunStore } from "../store/FileRunStore.js";
import type { WorkflowContext } from "../types/context.js";
import type { DefinitionSnapshot, WorkflowDefinition } from "../types/definition.js";
import type { RunObserver } from "../types/observer.js";
import { WorkflowExecutor } from "./WorkflowExecutor.js";

const snapshot: DefinitionSnapshot = {
  name: "test",
  format: "code",
  phases: ["build", "test", "deploy"],
  argsSchema: {},
  source: { bundle: "bundle.mjs" },
};

function workflow(execute: (ctx: WorkflowContext) => Promise<unknown>): WorkflowDefinition {
  return { name: "test", phases: snapshot.phases, argsSchema: {}, execute };
}

function setup(observer: RunObserver = {}) {
  const projectPath = tempDir("engine");
  const executor = new WorkflowExecutor({
    projectPath,
    workerId: "w1",
    observer,
    killGraceMs: 300,
  });
  return { projectPath, executor };
}

const noop = (id: string, phase = "build", calls?: string[]) => ({
  type: "function" as const,
  phase,
  fn: () => {
    calls?.push(id);
    return id;
  },
});

/** The run's checkpoint as a resume would read it (newest snapshot + journal after it). */
function newestCheckpoint(projectPath: string, runId: string): Checkpoint {
  const loaded = new FileRunStore(projectPath).loadCheckpoint(runId);
  if (!loaded) throw new Error(`run ${runId} has no checkpoint yet`);
  return loaded.checkpoint;
}

describe("WorkflowExecutor", () => {
  it("runs steps, writes seed 004's files and returns the template's result", async () => {
    const events: string[] = [];
    const { projectPath, executor } = setup({
      onStepCompleted: (e) => {
        // Disk first: the checkpoint already holds the step when the observer hears of it.
        expect(newestCheckpoint(projectPath, "r1").step_results[e.stepKey]).toBeDefined();
        events.push(`completed ${e.stepKey}`);
      },
      onPhaseChanged: (e) => {
        events.push(`phase ${e.phase}`);
      },
    });
    const def = workflow(async (ctx) => {
      const a = await ctx.step("a", noop("a"));
      const b = await ctx.step("b", {
        type: "script",
        phase: "test",
        command: "echo one; echo two >&2",
      });
      return { a: a.data, out: (b.data as { stdout: string }).stdout };
    });
    const outcome = await executor.start({ runId: "r1", definition: def, snapshot, args: { x: 1 } })
      .done;
    expect(outcome).toEqual({ runId: "r1", status: "completed", result: { a: "a", out: "one\n" } });
    expect(events).toEqual(["phase build", "completed a", "phase test", "completed b"]);
    const paths = runPaths(projectPath, "r1");
    expect(JSON.parse(readFileSync(paths.args, "utf8"))).toEqual({ x: 1 });
    expect(JSON.parse(readFileSync(paths.definition, "utf8")).name).toBe("test");
    const logDir = paths.stepLogDir("b");
    for (const file of ["input.json", "output.json", "events.jsonl", "summary.md"]) {
      expect(existsSync(join(logDir, file))).toBe(true);
    }
    const lines = readFileSync(join(logDir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; text: string });
    expect(lines.filter((l) => l.kind !== "system").map((l) => [l.kind, l.text])).toEqual(
      expect.arrayContaining([
        ["stdout", "one"],
        ["stderr", "two"],
      ]),
    );
    const checkpoint = newestCheckpoint(projectPath, "r1");
    expect(checkpoint.completed_step_ids).toEqual(["a", "b"]);
    expect(checkpoint.status).toBe("completed");
    const snapshots = readdirSync(paths.checkpoints).filter((f) => /^step-\d+\.json$/.test(f));
    expect(snapshots.length).toBeLessThanOrEqual(2);
  });

  it("replays memoized steps on resume and numbers revisits #2, #3 in call order", async () => {
    const { executor } = setup();
    const calls: string[] = [];
    let pauseAfterFirstLoop = true;
    const def = workflow(async (ctx) => {
      for (let i = 0; i < 3; i++) await ctx.step("loop", noop(`loop${i}`, "build", calls));
      if (pauseAfterFirstLoop) {
        pauseAfterFirstLoop = false;
        await handle.pause();
      }
      await ctx.step("after", noop("after", "test", calls));
      return [ctx.getStepResult("loop")?.data, ctx.getStepResult("loop#3")?.data];
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    expect((await handle.done).status).toBe("paused");
    expect(calls).toEqual(["loop0", "loop1", "loop2"]);
    const outcome = await executor.resume("r").done;
    expect(outcome.result).toEqual(["loop0", "loop2"]);
    expect(calls).toEqual(["loop0", "loop1", "loop2", "after"]);
  });

  it("fails with TemplateChangedError when a memoized step's type or name changed", async () => {
    const { executor } = setup();
    let first = true;
    const def = workflow(async (ctx) => {
      if (first) {
        first = false;
        await ctx.step("a", noop("a"));
        await handle.pause();
        await ctx.step("b", noop("b"));
      } else {
        await ctx.step("a", { type: "script", phase: "build", command: "true" });
      }
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    await handle.done;
    const outcome = await executor.resume("r").done;
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ name: "TemplateChangedError", code: "TEMPLATE_CHANGED" });
    expect(outcome.error?.message).toContain('recorded as function "a" but is now script "a"');
  });

  it("retries with backoff, stops on NonRetriableStepError, and continueOnError records the failure", async () => {
    const { executor } = setup();
    let tries = 0;
    let nonRetriable = 0;
    const def = workflow(async (ctx) => {
      const flaky = await ctx.step("flaky", {
        type: "function",
        phase: "build",
        retry: { attempts: 3, backoff: "exponential", initialDelay: 5, maxDelay: 20 },
        fn: () => {
          tries += 1;
          if (tries < 3) throw new Error(`try ${tries}`);
          return "ok";
        },
      });
      const soft = await ctx.step("soft", {
        type: "function",
        phase: "build",
        retry: { attempts: 5, initialDelay: 1 },
        continueOnError: true,
        fn: () => {
          nonRetriable += 1;
          throw new NonRetriableStepError("bad input");
        },
      });
      return [flaky.data, soft.status, soft.error?.code];
    });
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(outcome.result).toEqual(["ok", "failed", "NON_RETRIABLE_STEP"]);
    expect(tries).toBe(3);
    expect(nonRetriable).toBe(1);
  });

  it("a checkpoint that cannot be written stops the run instead of retrying the step", async () => {
    const { projectPath, executor } = setup();
    let runs = 0;
    const def = workflow(async (ctx) => {
      await ctx.step("side-effect", {
        type: "function",
        phase: "build",
        retry: { attempts: 3, initialDelay: 1 },
        fn: () => {
          runs += 1;
          // the checkpoints folder turns into a file: the next write cannot land
          const dir = runPaths(projectPath, "r").checkpoints;
          rmSync(dir, { recursive: true });
          writeFileSync(dir, "");
        },
      });
    });
    // Not even the run's end can be recorded, so `done` rejects with the disk's error.
    const done = executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    await expect(done).rejects.toMatchObject({ code: "ENOTDIR" });
    expect(runs).toBe(1);
    expect(existsSync(runPaths(projectPath, "r").lock)).toBe(false);
  });

  it("fails a step whose attempt exceeds its timeout and kills its process", async () => {
    const { executor } = setup();
    const def = workflow(async (ctx) => {
      await ctx.step("slow", {
        type: "script",
        phase: "build",
        command: "sleep 30",
        timeout: "100ms",
      });
    });
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ name: "StepFailedError", code: "STEP_FAILED" });
    expect(outcome.error?.cause).toMatchObject({ code: "STEP_TIMEOUT" });
  });

  it("pause now interrupts a running sleep 30 within 2 s, leaves no process, and reruns the step", async () => {
    const { projectPath, executor } = setup();
    const pidFile = join(projectPath, "pid");
    let runs = 0;
    const def = workflow(async (ctx) => {
      runs += 1;
      return ctx.step("sleepy", {
        type: "script",
        phase: "build",
        command: runs === 1 ? `echo $$ > ${pidFile}; sleep 30` : "echo resumed",
      });
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      await new Promise((r) => setTimeout(r, 20));
    }
    const pid = Number(readFileSync(pidFile, "utf8"));
    const asked = Date.now();
    await handle.pause({ now: true });
    expect((await handle.done).status).toBe("paused");
    expect(Date.now() - asked).toBeLessThan(2000);
    expect(processGroupAlive(pid)).toBe(false);
    expect(newestCheckpoint(projectPath, "r").step_results.sleepy).toBeUndefined();
    const outcome = await executor.resume("r").done;
    expect(outcome.result).toMatchObject({ data: { stdout: "resumed\n" } });
  });

  it("cancel throws RunCancelledError out of the pending call, runs finally steps, ends cancelled", async () => {
    const stepStatuses: string[] = [];
    const { projectPath, executor } = setup({
      onStepCompleted: (e) => void stepStatuses.push(`${e.stepKey}:${e.status}`),
    });
    const seen: string[] = [];
    const def = workflow(async (ctx) => {
      try {
        await ctx.step("long", { type: "script", phase: "build", command: "sleep 30" });
      } catch (error) {
        seen.push((error as Error).name);
        throw error;
      } finally {
        await ctx.step("cleanup", noop("cleanup", "build", seen));
      }
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    await new Promise((r) => setTimeout(r, 100));
    await handle.cancel();
    const outcome = await handle.done;
    expect(outcome.status).toBe("cancelled");
    expect(seen).toEqual([RunCancelledError.name, "cleanup"]);
    expect(stepStatuses).toEqual(["long:cancelled", "cleanup:completed"]);
    expect(newestCheckpoint(projectPath, "r").status).toBe("cancelled");
  });

  it("parallel honours dependsOn and the concurrency limit and rejects cycles and unknown keys", async () => {
    const { executor } = setup();
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const packages = [
      { name: "app", deps: ["lib", "ui"] },
      { name: "lib", deps: [] },
      { name: "ui", deps: ["lib"] },
      { name: "docs", deps: [] },
    ];
    const def = workflow(async (ctx) => {
      const built = await ctx.parallel(
        packages,
        { concurrency: 2, key: (p) => p.name, dependsOn: (p) => p.deps },
        async (p) => {
          running += 1;
          peak = Math.max(peak, running);
          const r = await ctx.step("build", {
            type: "script",
            phase: "build",
            command: `echo ${p.name}`,
          });
          running -= 1;
          order.push(p.name);
          return { key: r.stepId };
        },
      );
      const errors: string[] = [];
      for (const bad of [
        [
          { name: "a", deps: ["b"] },
          { name: "b", deps: ["a"] },
        ],
        [{ name: "a", deps: ["zz"] }],
      ]) {
        await ctx
          .parallel(bad, { key: (p) => p.name, dependsOn: (p) => p.deps }, async () => 1)
          .catch((e: Error) => errors.push(`${(e as { code?: string }).code}: ${e.message}`));
      }
      return { built, errors };
    });
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    const result = outcome.result as { built: { key: string }[]; errors: string[] };
    expect(result.built.map((b) => b.key)).toEqual([
      "app/build",
      "lib/build",
      "ui/build",
      "docs/build",
    ]);
    expect(order.indexOf("lib")).toBeLessThan(order.indexOf("ui"));
    expect(order.indexOf("ui")).toBeLessThan(order.indexOf("app"));
    expect(peak).toBeLessThanOrEqual(2);
    expect(result.errors).toEqual([
      "PARALLEL_DEPENDENCY: dependsOn cycle: a → b → a",
      'PARALLEL_DEPENDENCY: item "a" depends on unknown key "zz"',
    ]);
  });

  it("waits durably for signals and approvals, resuming once they are recorded", async () => {
    const { executor } = setup();
    const def = workflow(async (ctx) => {
      const payload = await ctx.waitForSignal<{ sha: string }>("deployed");
      const decision = await ctx.approval("ship", { message: "Ship it?" });
      return { payload, approved: decision.approved };
    });
    const first = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(first.status).toBe("waiting");
    await executor.signal("r", "deployed", { sha: "abc" });
    expect((await executor.resume("r").done).status).toBe("waiting");
    await executor.approve("r", "ship", { approved: true, by: "ann" });
    const outcome = await executor.resume("r").done;
    expect(outcome).toMatchObject({
      status: "completed",
      result: { payload: { sha: "abc" }, approved: true },
    });
  });

  it("fails with SignalTimeoutError when resumed after a signal's deadline passed", async () => {
    const { executor } = setup();
    // Long enough that a loaded machine still reaches the wait before the deadline.
    const def = workflow(async (ctx) => ctx.waitForSignal("go", { timeout: "400ms" }));
    expect(
      (await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done).status,
    ).toBe("waiting");
    await new Promise((r) => setTimeout(r, 450));
    const outcome = await executor.resume("r").done;
    expect(outcome.error).toMatchObject({ name: "SignalTimeoutError", code: "SIGNAL_TIMEOUT" });
  });

  it("rejects signals, approvals and resumes for unknown runs, and resumes without a definition", async () => {
    const { projectPath, executor } = setup();
    await expect(executor.signal("nope", "go")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await expect(executor.approve("nope", "a", { approved: true })).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
    });
    await expect(executor.resume("nope").done).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await executor.start({ runId: "r", definition: workflow(async () => 1), snapshot, args: {} })
      .done;
    const stranger = new WorkflowExecutor({ projectPath, workerId: "other" });
    await expect(stranger.resume("r").done).rejects.toMatchObject({ code: "DEFINITION_REQUIRED" });
  });

  it("a durable sleep keeps its wake-up time across a restart", async () => {
    const { projectPath, executor } = setup();
    const def = workflow(async (ctx) => {
      await ctx.sleep("nap", "300ms");
      return "woke";
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    await new Promise((r) => setTimeout(r, 50));
    await handle.pause();
    expect((await handle.done).status).toBe("paused");
    const wakeAt = newestCheckpoint(projectPath, "r").pending.timers.nap;
    expect(wakeAt).toBeDefined();
    const outcome = await new WorkflowExecutor({ projectPath, workerId: "w2" }).resume("r", {
      definition: def,
    }).done;
    expect(outcome.result).toBe("woke");
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(wakeAt as string));
  });

  it("rewind keeps the steps of earlier phases and runs the rest again", async () => {
    const { executor } = setup();
    const calls: string[] = [];
    const def = workflow(async (ctx) => {
      await ctx.step("compile", noop("compile", "build", calls));
      await ctx.step("unit", noop("unit", "test", calls));
      await ctx.step("ship", noop("ship", "deploy", calls));
    });
    await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    await executor.rewind("r", "test");
    expect((await executor.resume("r").done).status).toBe("completed");
    expect(calls).toEqual(["compile", "unit", "ship", "unit", "ship"]);
    await expect(executor.rewind("r", "nope")).rejects.toMatchObject({ code: "UNKNOWN_PHASE" });
  });

  it("falls back to the previous checkpoint with a warning when the newest is truncated", async () => {
    const warnings: string[] = [];
    const { projectPath, executor } = setup({ onWarning: (w) => void warnings.push(w.code) });
    const calls: string[] = [];
    let first = true;
    const def = workflow(async (ctx) => {
      await ctx.step("a", noop("a", "build", calls));
      await ctx.step("b", noop("b", "build", calls));
      if (first) {
        first = false;
        await handle.pause();
      }
      await ctx.step("c", noop("c", "build", calls));
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    await handle.done;
    const dir = runPaths(projectPath, "r").checkpoints;
    const newest = readdirSync(dir)
      .filter((name) => /^step-\d+\.json$/.test(name))
      .sort((x, y) => Number(y.slice(5, -5)) - Number(x.slice(5, -5)))[0];
    const text = readFileSync(join(dir, newest as string), "utf8");
    writeFileSync(join(dir, newest as string), text.slice(0, text.length / 2));
    expect((await executor.resume("r").done).status).toBe("completed");
    expect(warnings).toEqual(["CHECKPOINT_SKIPPED"]);
    // the newest snapshot was the paused status write; the one before and the journal
    // after it still held a and b
    expect(calls).toEqual(["a", "b", "c"]);
  });

  it("reports an executions directory that cannot be written, and writes nothing", async () => {
    const projectPath = tempDir("engine");
    // A file where the executions directory belongs: even root cannot create the run there.
    mkdirSync(join(projectPath, ".agent", "workflows"), { recursive: true });
    writeFileSync(join(projectPath, ".agent", "workflows", "executions"), "");
    const executor = new WorkflowExecutor({ projectPath, workerId: "w" });
    let ran = false;
    const def = workflow(async () => {
      ran = true;
    });
    const done = executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    await expect(done).rejects.toBeInstanceOf(ExecutionsDirNotWritableError);
    await expect(done).rejects.toThrow(/cannot write the run's executions directory/);
    expect(ran).toBe(false);
  });

  it("fails the run clearly when a step names a phase the template does not declare", async () => {
    const { executor } = setup();
    const def = workflow(async (ctx) => ctx.step("x", noop("x", "qa")));
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(outcome.error).toMatchObject({ code: "UNKNOWN_PHASE" });
    expect(outcome.error?.message).toContain('phase "qa" is not one of the template\'s phases');
  });

  it("renews the lease with a heartbeat while the run executes", async () => {
    const beats: string[] = [];
    const { executor } = setup({ onHeartbeat: (h) => void beats.push(h.workerId) });
    await executor.start({ runId: "r", definition: workflow(async () => 1), snapshot, args: {} })
      .done;
    expect(beats[0]).toBe("w1");
  });

  it("exec reports a failing command's exit code and output instead of throwing", async () => {
    const { executor } = setup();
    const def = workflow(async (ctx) => ctx.exec("echo out; echo err >&2; exit 3"));
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(outcome.result).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
  });

  it("refuses to execute a run whose lock a live process holds", async () => {
    const { projectPath } = setup();
    const a = new WorkflowExecutor({ projectPath, workerId: "a" });
    const b = new WorkflowExecutor({ projectPath, workerId: "b" });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const def = workflow(async (ctx) => {
      await ctx.step("wait", { type: "function", phase: "build", fn: () => gate });
    });
    const held = a.start({ runId: "r", definition: def, snapshot, args: {} });
    await new Promise((r) => setTimeout(r, 20));
    await expect(b.resume("r", { definition: def }).done).rejects.toBeInstanceOf(RunLockedError);
    release();
    expect((await held.done).status).toBe("completed");
  });

  it("runs a child workflow as its own run, linked to the parent, and memoizes its result", async () => {
    const { projectPath } = setup();
    const child = workflow(async (ctx) => {
      const r = await ctx.step("inner", noop(`child of ${String(ctx.args.n)}`));
      return r.data;
    });
    let created = 0;
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      host: {
        loadTemplate: async () => ({
          ok: true,
          identifier: "child",
          path: "child.ts",
          format: "code",
          sourceHash: "x",
          definition: child,
          snapshot,
        }),
        createChildRun: async () => {
          created += 1;
          return { runId: `child-${created}` };
        },
      },
    });
    const def = workflow(async (ctx) => ctx.run("child", { n: 7 }));
    const outcome = await executor.start({ runId: "parent", definition: def, snapshot, args: {} })
      .done;
    expect(outcome.result).toEqual({ runId: "child-1", status: "completed", result: "child of 7" });
    const childDef = JSON.parse(readFileSync(runPaths(projectPath, "child-1").definition, "utf8"));
    expect(childDef.parentRunId).toBe("parent");
    expect(created).toBe(1);
  });

  it("a child asked for a worktree of its own runs in the folder the host gives it, also after a restart", async () => {
    const { projectPath } = setup();
    const own = tempDir("child-worktree");
    const gate = join(projectPath, "release");
    const child = workflow(async (ctx) => {
      await ctx.step("where", {
        type: "script",
        phase: "build",
        command: `pwd >> "${join(projectPath, "cwds")}"; while [ ! -f "${gate}" ]; do sleep 0.02; done`,
      });
    });
    const asked: unknown[] = [];
    const host = {
      loadTemplate: async () => ({
        ok: true as const,
        identifier: "child",
        path: "child.ts",
        format: "code" as const,
        sourceHash: "x",
        definition: child,
        snapshot,
      }),
      createChildRun: async (input: { workspace?: string }) => {
        asked.push(input.workspace);
        return { runId: "child", workdir: own };
      },
    };
    const def = workflow(async (ctx) => ctx.run("child", {}, { workspace: "own" }));
    const first = new WorkflowExecutor({ projectPath, workerId: "w1", killGraceMs: 300, host });
    const handle = first.start({ runId: "parent", definition: def, snapshot, args: {} });
    await expect.poll(() => existsSync(join(projectPath, "cwds"))).toBe(true);
    await handle.pause({ now: true });
    expect((await handle.done).status).toBe("paused");

    const second = new WorkflowExecutor({ projectPath, workerId: "w2", killGraceMs: 300, host });
    const resumed = second.resume("parent", { definition: def });
    await expect
      .poll(() => readFileSync(join(projectPath, "cwds"), "utf8").trim().split("\n").length)
      .toBe(2);
    writeFileSync(gate, "");
    const outcome = await resumed.done;
    expect(outcome.result).toEqual({ runId: "child", status: "completed", workdir: own });
    expect(asked).toEqual(["own"]);
    expect(new Set(readFileSync(join(projectPath, "cwds"), "utf8").trim().split("\n"))).toEqual(
      new Set([own]),
    );
  });

  it("cancelling a parent cancels its running child and throws out of ctx.run", async () => {
    const { projectPath } = setup();
    const child = workflow(async (ctx) => {
      await ctx.step("slow", { type: "script", phase: "build", command: "sleep 30" });
    });
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      killGraceMs: 300,
      host: {
        loadTemplate: async () => ({
          ok: true,
          identifier: "child",
          path: "child.ts",
          format: "code",
          sourceHash: "x",
          definition: child,
          snapshot,
        }),
        createChildRun: async () => ({ runId: "child" }),
      },
    });
    const seen: string[] = [];
    const def = workflow(async (ctx) => {
      try {
        await ctx.run("child", {});
      } catch (error) {
        seen.push((error as Error).name);
      }
    });
    const handle = executor.start({ runId: "parent", definition: def, snapshot, args: {} });
    await expect
      .poll(() => existsSync(runPaths(projectPath, "child").stepLogDir("slow")))
      .toBe(true);
    await handle.cancel();
    expect((await handle.done).status).toBe("cancelled");
    expect(seen).toEqual(["RunCancelledError"]);
    expect(newestCheckpoint(projectPath, "child").status).toBe("cancelled");
  });

  it("continueAsNew ends the run and starts its successor with the new args", async () => {
    const { projectPath } = setup();
    const statuses: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      observer: { onRunStatus: (e) => void statuses.push(`${e.runId}:${e.status}`) },
      host: {
        loadTemplate: async () => {
          throw new Error("unused");
        },
        createChildRun: async () => ({ runId: "unused" }),
        createContinuationRun: async () => ({ runId: "r2" }),
      },
    });
    const def = workflow(async (ctx) => {
      const n = Number(ctx.args.n);
      await ctx.step("count", noop(`n${n}`));
      if (n < 1) await ctx.continueAsNew({ n: n + 1 });
      return n;
    });
    const outcome = await executor.start({ runId: "r1", definition: def, snapshot, args: { n: 0 } })
      .done;
    expect(outcome).toMatchObject({ status: "completed", continuedAs: "r2" });
    await expect.poll(() => statuses).toContain("r2:completed");
    expect(JSON.parse(readFileSync(runPaths(projectPath, "r2").args, "utf8"))).toEqual({ n: 1 });
  });

  it("passes a signal sent between the last poll and continueAsNew on to the successor, and forwards later ones", async () => {
    const { projectPath } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      host: {
        loadTemplate: async () => {
          throw new Error("unused");
        },
        createChildRun: async () => ({ runId: "unused" }),
        createContinuationRun: async () => {
          // The template has polled and decided to continue; a signal arrives now.
          await executor.signal("r1", "item", "late");
          return { runId: "r2" };
        },
      },
    });
    const def = workflow(async (ctx) => {
      const n = Number(ctx.args.n);
      const taken = n === 0 ? await ctx.waitForSignal<string>("item") : undefined;
      const polled = await ctx.pollSignals<string>(["item"], { id: `poll-${n}` });
      if (n === 0) {
        await ctx.step("gate", { type: "function", phase: "build", fn: () => gate });
        await ctx.continueAsNew({ n: 1 });
      }
      const next = await ctx.waitForSignals<string>(["item"]);
      return { taken, polled: polled.map((s) => s.payload), next: next.payload };
    });
    const handle = executor.start({ runId: "r1", definition: def, snapshot, args: { n: 0 } });
    expect((await handle.done).status).toBe("waiting");
    await executor.signal("r1", "item", "early");
    const resumed = executor.resume("r1");
    release();
    expect(await resumed.done).toMatchObject({ status: "completed", continuedAs: "r2" });
    // The successor took the signal that arrived while r1 was handing over, and waits.
    await expect.poll(() => newestCheckpoint(projectPath, "r2").status).toBe("waiting");
    // A signal sent to the finished run now goes to its successor.
    expect(await executor.signal("r1", "item", "after")).toBe("r2");
    const outcome = await executor.resume("r2").done;
    expect(outcome).toMatchObject({
      status: "completed",
      result: { polled: ["late"], next: "after" },
    });
    // r1 keeps the signal it took; nothing else stayed behind.
    expect(readdirSync(join(runPaths(projectPath, "r1").signals, "item"))).toHaveLength(1);
  });

  it("refuses a signal to a run that completed or was cancelled, and takes one after a rewind", async () => {
    const { executor } = setup();
    const done = workflow(async (ctx) => {
      await ctx.step("a", noop("a"));
      return 1;
    });
    await executor.start({ runId: "r", definition: done, snapshot, args: {} }).done;
    await expect(executor.signal("r", "go")).rejects.toMatchObject({
      name: "RunEndedError",
      code: "RUN_ENDED",
      message: expect.stringContaining("run r has completed"),
    });
    const waits = workflow(async (ctx) => ctx.waitForSignal("go"));
    const handle = executor.start({ runId: "c", definition: waits, snapshot, args: {} });
    await handle.cancel();
    await handle.done;
    await expect(executor.signal("c", "go")).rejects.toMatchObject({ code: "RUN_ENDED" });
    await executor.rewind("r", "build");
    expect(await executor.signal("r", "go")).toBe("r");
  });

  it("emits comments and state once, even when the template replays", async () => {
    const comments: string[] = [];
    const states: unknown[] = [];
    const { executor } = setup({
      onComment: (c) => void comments.push(c.text),
      onState: (s) => void states.push(s.state),
    });
    let first = true;
    const def = workflow(async (ctx) => {
      await ctx.comment("hello");
      await ctx.setState({ progress: 1 });
      if (first) {
        first = false;
        await handle.pause();
        await ctx.step("x", noop("x"));
      }
      await ctx.comment("bye");
    });
    const handle = executor.start({ runId: "r", definition: def, snapshot, args: {} });
    await handle.done;
    await executor.resume("r").done;
    expect(comments).toEqual(["hello", "bye"]);
    expect(states[0]).toEqual({ progress: 1 });
  });
});
