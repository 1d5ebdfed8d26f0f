import { describe, expect, it } from "vitest";
import { RunTransitionError, runStatusReducer } from "./runStatusReducer.js";

const at = new Date("2026-01-01T00:00:00Z");

describe("runStatusReducer", () => {
  it("claims a pending run for a worker and stamps the lease", () => {
    expect(
      runStatusReducer({ status: "pending" }, { type: "claim", workerId: "w1", at }),
    ).toMatchObject({
      status: "running",
      worker_id: "w1",
      heartbeat_at: at,
    });
  });

  it("refuses to pause a completed run", () => {
    expect(() => runStatusReducer({ status: "completed" }, { type: "pause", at })).toThrow(
      new RunTransitionError("completed", "pause"),
    );
  });

  it("sends a resumed run back to the queue and a parked run back to pending", () => {
    expect(runStatusReducer({ status: "paused" }, { type: "resume" }).status).toBe("pending");
    expect(runStatusReducer({ status: "running" }, { type: "park" })).toMatchObject({
      status: "pending",
      worker_id: null,
    });
  });

  it("cancels anything unfinished and nothing finished", () => {
    for (const status of ["pending", "running", "paused", "waiting"] as const) {
      expect(runStatusReducer({ status }, { type: "cancel", at }).status).toBe("cancelled");
    }
    for (const status of ["completed", "failed", "cancelled"] as const) {
      expect(() => runStatusReducer({ status }, { type: "cancel", at })).toThrow(
        RunTransitionError,
      );
    }
  });

  it("rewinds a finished run but never a running one", () => {
    expect(runStatusReducer({ status: "failed" }, { type: "rewind" })).toMatchObject({
      status: "pending",
      error_message: null,
    });
    expect(() => runStatusReducer({ status: "running" }, { type: "rewind" })).toThrow(
      /rewind a run that is running/,
    );
  });
});
