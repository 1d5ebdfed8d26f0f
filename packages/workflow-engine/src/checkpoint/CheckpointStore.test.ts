import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { CheckpointCorruptError } from "../errors/CheckpointCorruptError.js";
import { emptyCheckpoint } from "./Checkpoint.js";
import { CheckpointStore } from "./CheckpointStore.js";

describe("CheckpointStore", () => {
  it("keeps only the newest two step-N.json files and loads the newest", () => {
    const dir = join(tempDir("cp"), "checkpoints");
    const store = new CheckpointStore(dir);
    for (let i = 0; i < 5; i++) {
      store.save({ ...emptyCheckpoint("r", "p"), current_step_index: i });
    }
    expect(readdirSync(dir).sort()).toEqual(["step-3.json", "step-4.json"]);
    expect(store.load()?.checkpoint.current_step_index).toBe(4);
    // a new store continues the numbering instead of overwriting
    new CheckpointStore(dir).save(emptyCheckpoint("r", "p"));
    expect(readdirSync(dir).sort()).toEqual(["step-4.json", "step-5.json"]);
  });

  it("skips a truncated newest file and reports it", () => {
    const dir = join(tempDir("cp"), "checkpoints");
    const store = new CheckpointStore(dir);
    store.save({ ...emptyCheckpoint("r", "p"), current_step_index: 1 });
    writeFileSync(join(dir, "step-1.json"), '{"execution_id": "r", "step_res');
    const loaded = new CheckpointStore(dir).load();
    expect(loaded?.checkpoint.current_step_index).toBe(1);
    expect(loaded?.sequence).toBe(0);
    expect(loaded?.skipped[0]?.file).toContain("step-1.json");
  });

  it("throws CheckpointCorruptError when no checkpoint file is readable", () => {
    const dir = tempDir("cp");
    writeFileSync(join(dir, "step-0.json"), "not json");
    expect(() => new CheckpointStore(dir).load()).toThrow(CheckpointCorruptError);
  });

  it("has no checkpoint for a run that never saved one", () => {
    expect(new CheckpointStore(join(tempDir("cp"), "none")).load()).toBeUndefined();
  });
});
