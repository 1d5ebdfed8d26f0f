import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { emptyCheckpoint } from "../checkpoint/Checkpoint.js";
import { CheckpointStore } from "../checkpoint/CheckpointStore.js";
import { RunLockedError } from "../errors/RunLockedError.js";
import { runPaths } from "../storage/runPaths.js";
import { findExpiredRuns } from "./findExpiredRuns.js";
import { RunLock } from "./RunLock.js";

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync("sh", ["-c", "echo $$"], {
    encoding: "utf8",
  }).stdout.trim() as unknown as number;
}

function runningRun(projectPath: string, runId: string) {
  const paths = runPaths(projectPath, runId);
  new CheckpointStore(paths.checkpoints).save({
    ...emptyCheckpoint(runId, "p"),
    status: "running",
  });
  return paths;
}

describe("leases on the filesystem", () => {
  it("finds running runs whose lock holder died, but not live or finished ones", () => {
    const projectPath = tempDir("lease");
    const crashed = runningRun(projectPath, "crashed");
    writeFileSync(
      crashed.lock,
      JSON.stringify({ pid: deadPid(), workerId: "gone", acquiredAt: "" }),
    );
    runningRun(projectPath, "no-lock");
    const live = runningRun(projectPath, "live");
    new RunLock(live.lock, "me").acquire();
    const done = runPaths(projectPath, "done");
    new CheckpointStore(done.checkpoints).save({
      ...emptyCheckpoint("done", "p"),
      status: "completed",
    });
    expect(findExpiredRuns(projectPath)).toEqual(["crashed", "no-lock"]);
  });

  it("treats a live holder with an old heartbeat as expired", () => {
    const projectPath = tempDir("lease");
    const paths = runningRun(projectPath, "slow");
    new RunLock(paths.lock, "me").acquire();
    expect(findExpiredRuns(projectPath, { staleAfterMs: 60_000 })).toEqual([]);
    expect(findExpiredRuns(projectPath, { staleAfterMs: -1 })).toEqual(["slow"]);
  });

  it("takes over a stale lock but refuses a live one", () => {
    const projectPath = tempDir("lease");
    const paths = runningRun(projectPath, "r");
    writeFileSync(paths.lock, JSON.stringify({ pid: deadPid(), workerId: "gone", acquiredAt: "" }));
    const mine = new RunLock(paths.lock, "a");
    mine.acquire();
    expect(() => new RunLock(paths.lock, "b").acquire()).toThrow(RunLockedError);
    mine.release();
    new RunLock(paths.lock, "b").acquire();
  });
});
