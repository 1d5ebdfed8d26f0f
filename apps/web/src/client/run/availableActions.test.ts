import { describe, expect, it } from "vitest";
import type { Run, RunStatus } from "../api/types";
import { availableActions } from "./availableActions";

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
  it("offers only cancel on a queued run", () => {
    expect(availableActions(run("pending"))).toEqual({
      pause: false,
      resume: false,
      cancel: true,
      approve: false,
      rewind: false,
    });
  });

  it("offers pause and cancel while running, approve while waiting, resume once paused or failed", () => {
    expect(availableActions(run("running"))).toMatchObject({
      pause: true,
      resume: false,
      cancel: true,
    });
    expect(availableActions(run("waiting"))).toMatchObject({ approve: true, pause: true });
    expect(availableActions(run("paused"))).toMatchObject({ pause: false, resume: true });
    expect(availableActions(run("failed"))).toMatchObject({
      resume: true,
      rewind: true,
      cancel: false,
    });
    expect(availableActions(run("completed"))).toMatchObject({
      resume: false,
      rewind: true,
      cancel: false,
    });
  });
});
