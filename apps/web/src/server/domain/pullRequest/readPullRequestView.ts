import type { PullRequestChecks, PullRequestState } from "@phaseboard/contracts";

/**
 * The state in `gh pr view --json state` (`OPEN | MERGED | CLOSED`) or `glab mr view
 * --output json` (`opened | merged | closed | locked`).
 */
export function parseState(view: unknown): PullRequestState {
  const state = String((view as { state?: unknown }).state ?? "").toLowerCase();
  if (state === "merged") return "merged";
  if (state === "closed" || state === "locked") return "closed";
  return "open";
}

const FAILED = new Set([
  "failure",
  "failed",
  "error",
  "cancelled",
  "canceled",
  "timed_out",
  "action_required",
  "startup_failure",
]);
const PASSED = new Set(["success", "neutral", "skipped", "skipped_"]);

/**
 * One word for the checks of the head commit: `gh`'s `statusCheckRollup` (check runs with
 * `status`/`conclusion`, commit statuses with `state`) or `glab`'s `pipeline.status`. Any
 * failure wins over anything running, which wins over passing.
 */
export function parseChecks(view: unknown): PullRequestChecks {
  const rollup = (view as { statusCheckRollup?: unknown }).statusCheckRollup;
  const pipeline = (view as { pipeline?: { status?: unknown } | null }).pipeline;
  const outcomes: string[] = [];
  if (Array.isArray(rollup)) {
    for (const check of rollup as Array<Record<string, unknown>>) {
      const status = String(check.status ?? "").toLowerCase();
      const outcome = String(check.conclusion ?? check.state ?? "").toLowerCase();
      outcomes.push(status && status !== "completed" ? "pending" : outcome || "pending");
    }
  } else if (pipeline && typeof pipeline.status === "string") {
    outcomes.push(pipeline.status.toLowerCase());
  }
  if (outcomes.length === 0) return "none";
  if (outcomes.some((outcome) => FAILED.has(outcome))) return "failing";
  if (outcomes.every((outcome) => PASSED.has(outcome))) return "passing";
  return "pending";
}
