import type { Run } from "../api/types";

/** Which actions a run's status allows; the server still has the last word. */
export function availableActions(run: Run) {
  const active = run.status === "running" || run.status === "waiting";
  return {
    pause: active,
    resume: run.status === "paused" || run.status === "failed",
    cancel: active || run.status === "paused" || run.status === "pending",
    approve: run.status === "waiting",
    rewind: run.status !== "pending",
  };
}
