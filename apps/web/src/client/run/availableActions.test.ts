import { nextRunStatus, runStatuses, userRunActions } from "@phaseboard/contracts/runStates";
import { describe, expect, it } from "vitest";
import type { Run, RunStatus } from "../api/types";
import { availableActions } from "./availableActions";
import { optimisticPatch } from "./useRunActions";

const run = (status: RunStatus): Run => ({
  id: "r1",
  project_id: "p1",
  workflow_definition_id: "d1",
  name: "Run",
  status,
  current_phase: "plan",
  position: "a0",
  created_at: "2026-01-01T00:00:00.000Z",
});

describe("availableActions", () => {
  it("offers pause and cancel on a queued run, never resume or a second start", () => {
    expect(availableActions(run("pending"))).toEqual({
      pause: true,
      resume: false,
      cancel: true,
      approve: false,
      rewind: true,
    });
  });

  it("offers resume on a failed run, and neither pause nor cancel once it has ended", () => {
    expect(availableActions(run("failed"))).toEqual({
      pause: false,
      resume: true,
      cancel: false,
      approve: false,
      rewind: true,
    });
    expect(availableActions(run("completed"))).toMatchObject({ resume: false, cancel: false });
    expect(availableActions(run("running"))).toMatchObject({ rewind: false, resume: false });
    expect(availableActions(run("waiting"))).toMatchObject({ approve: true, pause: true });
  });

  it("offers start anyway (resume) and cancel on a blocked run, nothing else", () => {
    expect(availableActions(run("blocked"))).toEqual({
      pause: false,
      resume: true,
      cancel: true,
      approve: false,
      rewind: false,
    });
  });

  it("offers exactly what the table of run states allows, for every status", () => {
    for (const status of runStatuses) {
      const allowed = availableActions(run(status));
      for (const action of userRunActions) {
        expect(allowed[action], `${status} × ${action}`).toBe(
          nextRunStatus(status, action) !== undefined,
        );
      }
    }
  });
});

describe("optimisticPatch", () => {
  it("predicts the status the server sets: a resumed or approved run is queued, not running", () => {
    expect(optimisticPatch(run("paused"), { kind: "resume" }).status).toBe("pending");
    expect(optimisticPatch(run("failed"), { kind: "resume" }).status).toBe("pending");
    expect(optimisticPatch(run("waiting"), { kind: "approve", stepKey: "ok" }).status).toBe(
      "pending",
    );
    expect(optimisticPatch(run("completed"), { kind: "rewind", phase: "plan" }).status).toBe(
      "pending",
    );
  });

  it("changes nothing when the table refuses the action", () => {
    expect(optimisticPatch(run("completed"), { kind: "pause" }).status).toBe("completed");
  });
});
