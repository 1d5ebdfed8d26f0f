import {
  type RunActionType,
  type RunStatus,
  runActionTypes,
  runStatuses,
  runTransition,
} from "@phaseboard/contracts";
import { describe, expect, it } from "vitest";
import { type RunAction, RunTransitionError, runStatusReducer } from "./runStatusReducer.js";

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

describe("runStatusReducer and blocked runs", () => {
  it("blocks only a queued run and unblocks only a blocked one, back to the queue", () => {
    expect(runStatusReducer({ status: "pending" }, { type: "block" }).status).toBe("blocked");
    expect(runStatusReducer({ status: "blocked" }, { type: "unblock" })).toMatchObject({
      status: "pending",
      error_message: null,
    });
    expect(() => runStatusReducer({ status: "running" }, { type: "block" })).toThrow(
      RunTransitionError,
    );
    expect(() => runStatusReducer({ status: "pending" }, { type: "unblock" })).toThrow(
      RunTransitionError,
    );
  });

  it("starts a blocked run anyway on resume, cancels it, and never claims or rewinds it", () => {
    expect(runStatusReducer({ status: "blocked" }, { type: "resume" }).status).toBe("pending");
    expect(runStatusReducer({ status: "blocked" }, { type: "cancel", at }).status).toBe(
      "cancelled",
    );
    expect(() =>
      runStatusReducer({ status: "blocked" }, { type: "claim", workerId: "w1", at }),
    ).toThrow(RunTransitionError);
    expect(() => runStatusReducer({ status: "blocked" }, { type: "rewind" })).toThrow(
      expect.objectContaining({ code: "RUN_NOT_STARTED" }),
    );
  });
});

describe("runStatusReducer and the table of run states", () => {
  it("refuses with the table's own code for each kind of refusal", () => {
    const codeOf = (status: RunStatus, action: RunAction) => {
      try {
        runStatusReducer({ status }, action);
      } catch (error) {
        return (error as RunTransitionError).code;
      }
      return undefined;
    };
    expect(codeOf("completed", { type: "pause", at })).toBe("RUN_NOT_PAUSABLE");
    expect(codeOf("running", { type: "resume" })).toBe("RUN_NOT_RESUMABLE");
    expect(codeOf("failed", { type: "cancel", at })).toBe("RUN_ALREADY_ENDED");
    expect(codeOf("running", { type: "rewind" })).toBe("RUN_NOT_REWINDABLE");
    expect(codeOf("paused", { type: "complete", at })).toBe("RUN_STATE_CHANGED");
  });

  it("resumes a failed run from the queue and forgets why it failed", () => {
    expect(runStatusReducer({ status: "failed" }, { type: "resume" })).toMatchObject({
      status: "pending",
      error_message: null,
      completed_at: null,
    });
  });

  it("leads every allowed cell to the status the table names", () => {
    const sample: Record<RunActionType, RunAction> = {
      pause: { type: "pause", at },
      resume: { type: "resume" },
      cancel: { type: "cancel", at },
      rewind: { type: "rewind" },
      wake: { type: "wake" },
      claim: { type: "claim", workerId: "w1", at },
      wait: { type: "wait" },
      complete: { type: "complete", at },
      fail: { type: "fail", at, message: "boom" },
      park: { type: "park" },
      block: { type: "block" },
      unblock: { type: "unblock" },
    };
    for (const status of runStatuses) {
      for (const type of runActionTypes) {
        const cell = runTransition(status, type);
        if ("to" in cell) {
          expect(runStatusReducer({ status }, sample[type]).status, `${status} × ${type}`).toBe(
            cell.to,
          );
        } else {
          expect(() => runStatusReducer({ status }, sample[type]), `${status} × ${type}`).toThrow(
            expect.objectContaining({ code: cell.refuse }),
          );
        }
      }
    }
  });
});
