import { describe, expect, it } from "vitest";
import { type Checkpoint, emptyCheckpoint } from "../checkpoint/Checkpoint.js";
import { CheckpointCorruptError } from "../errors/CheckpointCorruptError.js";
import { RunLockedError } from "../errors/RunLockedError.js";
import type { RunStore } from "../store/RunStore.js";
import type { DefinitionSnapshot } from "../types/definition.js";

export interface RunStoreUnderTest {
  /** A new, empty store. */
  create(): RunStore | Promise<RunStore>;
  /** Replaces every checkpoint the store keeps for `runId` with these bytes. */
  corruptCheckpoints(store: RunStore, runId: string, bytes: string): void | Promise<void>;
}

const snapshot: DefinitionSnapshot = {
  name: "conformance",
  format: "yaml",
  phases: ["build"],
  argsSchema: {},
  source: { yaml: "name: conformance" },
};

function withStep(base: Checkpoint, key: string, data: unknown): Checkpoint {
  return {
    ...base,
    completed_step_ids: [...base.completed_step_ids, key],
    current_step_index: base.completed_step_ids.length + 1,
    step_results: { ...base.step_results, [key]: { stepId: key, status: "completed", data } },
    step_meta: {
      ...base.step_meta,
      [key]: { type: "function", name: key, phase: "build", attempt: 1 },
    },
  };
}

/**
 * The behaviour every {@link RunStore} must have for the executor's guarantees to hold
 * (memoized results, atomic checkpoints, leases, the signal cursor, the corrupt-checkpoint
 * error). Call it from a test file of the implementation:
 *
 * @example
 * runStoreConformance("FileRunStore", {
 *   create: () => new FileRunStore(tempDir("store")),
 *   corruptCheckpoints: (store, runId, bytes) => { … },
 * });
 */
export function runStoreConformance(name: string, subject: RunStoreUnderTest): void {
  describe(`${name} (RunStore conformance)`, () => {
    it("pins a run once: a second pin changes neither its arguments nor its definition", async () => {
      const store = await subject.create();
      expect(store.hasRun("r")).toBe(false);
      store.pinRun("r", { snapshot, args: { n: 1 }, parentRunId: "p" });
      store.pinRun("r", { snapshot: { ...snapshot, name: "other" }, args: { n: 2 } });
      expect(store.hasRun("r")).toBe(true);
      expect(store.readArgs("r")).toEqual({ n: 1 });
      expect(store.readSnapshot("r")).toMatchObject({ name: "conformance", parentRunId: "p" });
      expect(store.readBundle("r")).toEqual({ expected: false });
      expect(store.listRuns()).toContain("r");
    });

    it("answers the memoized results of the newest checkpoint written, as written", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      expect(store.loadCheckpoint("r")).toBeUndefined();
      let checkpoint = emptyCheckpoint("r", "build");
      for (const key of ["a", "b", "b#2"]) {
        checkpoint = withStep(checkpoint, key, { key, nested: [1, { deep: true }] });
        await store.writeCheckpoint("r", checkpoint);
      }
      const loaded = store.loadCheckpoint("r")?.checkpoint;
      expect(loaded?.completed_step_ids).toEqual(["a", "b", "b#2"]);
      expect(loaded?.step_results["b#2"]).toEqual({
        stepId: "b#2",
        status: "completed",
        data: { key: "b#2", nested: [1, { deep: true }] },
      });
    });

    it("fixes a checkpoint's bytes when the write is called: overlapping writes leave the last call's", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      const checkpoint = emptyCheckpoint("r", "build");
      const writes: Promise<void>[] = [];
      for (let i = 1; i <= 8; i++) {
        checkpoint.current_step_index = i;
        checkpoint.state = { written: i };
        writes.push(store.writeCheckpoint("r", checkpoint));
      }
      checkpoint.state = { written: "after the calls" };
      await Promise.all(writes);
      const loaded = store.loadCheckpoint("r")?.checkpoint;
      expect(loaded?.current_step_index).toBe(8);
      expect(loaded?.state).toEqual({ written: 8 });
    });

    it("refuses a run whose checkpoints are all unreadable or of the wrong shape, naming the problem", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      await store.writeCheckpoint("r", withStep(emptyCheckpoint("r", "build"), "a", 1));
      await subject.corruptCheckpoints(store, "r", '{"execution_id": "r", "step_res');
      expect(() => store.loadCheckpoint("r")).toThrow(CheckpointCorruptError);
      await subject.corruptCheckpoints(store, "r", JSON.stringify({ step_results: [] }));
      expect(() => store.loadCheckpoint("r")).toThrow(/step_results/);
    });

    it("gives a run's lease to one worker at a time, and expires a silent one", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      expect(store.leaseExpired("r")).toBe(true);
      const lease = store.acquireLease("r", "a");
      expect(() => store.acquireLease("r", "b")).toThrow(RunLockedError);
      expect(store.leaseExpired("r")).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(store.leaseExpired("r", 10)).toBe(true);
      lease.touch();
      expect(store.leaseExpired("r", 10_000)).toBe(false);
      lease.release();
      expect(store.leaseExpired("r")).toBe(true);
      store.acquireLease("r", "b").release();
    });

    it("keeps signals in arrival order per name and moves the untaken ones exactly once", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      store.pinRun("next", { snapshot, args: {} });
      expect(store.signals("r", "go")).toEqual([]);
      for (let i = 1; i <= 3; i++) store.recordSignal("r", "go", { i });
      store.recordSignal("r", "stop/now", null);
      const go = store.signals("r", "go");
      expect(go.map((s) => s.payload)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
      expect(go.map((s) => s.id)).toEqual([...go.map((s) => s.id)].sort());
      expect(store.signalNames("r").sort()).toEqual(["go", "stop/now"]);
      // A cursor of 1 (one taken): the rest belongs to the successor.
      store.moveSignals("r", "next", go.slice(1));
      expect(store.signals("r", "go").map((s) => s.payload)).toEqual([{ i: 1 }]);
      expect(store.signals("next", "go").map((s) => s.payload)).toEqual([{ i: 2 }, { i: 3 }]);
      store.recordSignal("next", "go", { i: 4 });
      expect(store.signals("next", "go").map((s) => s.payload)).toEqual([
        { i: 2 },
        { i: 3 },
        { i: 4 },
      ]);
    });

    it("records an approval decision for its key", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      expect(store.readApproval("r", "ship#2")).toBeUndefined();
      store.writeApproval("r", "ship#2", { approved: false, by: "ann", comment: "not yet" });
      expect(store.readApproval("r", "ship#2")).toMatchObject({
        approved: false,
        by: "ann",
        comment: "not yet",
      });
    });

    it("writes step logs that do not disturb checkpoints", async () => {
      const store = await subject.create();
      store.pinRun("r", { snapshot, args: {} });
      const log = store.stepLog("r", "lib/build#2");
      expect(typeof log.ref).toBe("string");
      await log.open({ stepKey: "lib/build#2" });
      log.append({ at: new Date().toISOString(), kind: "system", text: "hello" });
      await log.close({ stepId: "lib/build#2", status: "completed", data: 1 }, "# done\n");
      await store.writeCheckpoint("r", withStep(emptyCheckpoint("r", "build"), "lib/build#2", 1));
      expect(store.loadCheckpoint("r")?.checkpoint.completed_step_ids).toEqual(["lib/build#2"]);
    });
  });
}
