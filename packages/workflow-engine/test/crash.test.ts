import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runProcess, tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { isProcessAlive, readLockOwner } from "../src/lease/RunLock.js";
import { runPaths } from "../src/storage/runPaths.js";

const script = join(import.meta.dirname, "fixtures", "runCounterWorkflow.ts");
const tsx = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");

function counts(projectPath: string): Record<string, number> {
  const dir = join(projectPath, "counters");
  return Object.fromEntries(
    readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8").trim().split("\n").length]),
  );
}

describe("crash recovery across processes", () => {
  it("after kill -9 mid-step, a new process reruns only the interrupted step and finishes", async () => {
    const projectPath = tempDir("crash");
    const first = runProcess(tsx, [script, "start", projectPath, "run-1"], {
      env: { ...process.env, CRASH: "1" },
    });
    await first.waitForOutput(/IN_STEP/);

    // While the first process holds the run, a second one refuses to execute it.
    const intruder = runProcess(tsx, [script, "resume", projectPath, "run-1"]);
    expect(await intruder.exited).not.toBe(0);
    expect(intruder.stderr()).toContain("RunLockedError");
    expect(counts(projectPath)).toEqual({ s1: 1, s2: 1, s3: 1 });

    // kill -9 the whole process group: the executor and the step's shell die together
    process.kill(-(first.child.pid as number), "SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    // The executor (tsx's child) dies with its group; its lock stays behind, now stale.
    const owner = readLockOwner(runPaths(projectPath, "run-1").lock);
    expect(owner).toBeDefined();
    await expect.poll(() => isProcessAlive(owner?.pid as number)).toBe(false);
    expect(counts(projectPath)).toEqual({ s1: 1, s2: 1, s3: 1 });

    const second = runProcess(tsx, [script, "resume", projectPath, "run-1"], {
      env: { ...process.env, CRASH: "" },
    });
    const [, outcome] = (await second.waitForOutput(/OUTCOME (.*)/)) as RegExpMatchArray;
    expect(JSON.parse(outcome as string)).toEqual({
      runId: "run-1",
      status: "completed",
      result: ["s1", "s2", "done-s3", "s4", "s5"],
    });
    // completed steps ran exactly once; the interrupted one ran again
    expect(counts(projectPath)).toEqual({ s1: 1, s2: 1, s3: 2, s4: 1, s5: 1 });
  });
});
