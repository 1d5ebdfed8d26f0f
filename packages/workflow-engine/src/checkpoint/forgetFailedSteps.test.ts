import { describe, expect, it } from "vitest";
import { emptyCheckpoint } from "./Checkpoint.js";
import { forgetFailedSteps } from "./forgetFailedSteps.js";

describe("forgetFailedSteps", () => {
  it("forgets the failed steps of a checkpoint and keeps the completed ones", () => {
    const checkpoint = emptyCheckpoint("r1", "build");
    checkpoint.completed_step_ids = ["prepare", "check"];
    checkpoint.current_step_index = 2;
    checkpoint.step_results = {
      prepare: { stepId: "prepare", status: "completed", data: 1 },
      check: { stepId: "check", status: "failed", error: { name: "Error", message: "exit 1" } },
    };
    checkpoint.step_meta = {
      prepare: { type: "script", name: "Prepare", phase: "build", attempt: 1 },
      check: { type: "script", name: "Check", phase: "build", attempt: 1 },
    };
    checkpoint.signals_taken = { check: { go: 1 } };

    expect(forgetFailedSteps(checkpoint)).toEqual(["check"]);
    expect(checkpoint.completed_step_ids).toEqual(["prepare"]);
    expect(checkpoint.current_step_index).toBe(1);
    expect(Object.keys(checkpoint.step_results)).toEqual(["prepare"]);
    expect(Object.keys(checkpoint.step_meta)).toEqual(["prepare"]);
    expect(checkpoint.signals_taken).toEqual({});
  });

  it("changes nothing when no step failed", () => {
    const checkpoint = emptyCheckpoint("r1", "build");
    checkpoint.completed_step_ids = ["prepare"];
    checkpoint.step_results = { prepare: { stepId: "prepare", status: "completed", data: 1 } };
    const before = structuredClone(checkpoint);
    expect(forgetFailedSteps(checkpoint)).toEqual([]);
    expect(checkpoint).toEqual(before);
  });
});
