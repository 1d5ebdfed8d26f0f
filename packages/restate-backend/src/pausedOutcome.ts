import type { StepJobOutcome } from "@phaseboard/workflow-engine";

/**
 * A job's answer when its run was paused before or while it ran: not a failed attempt. The
 * run's journal hears it and pauses the engine now, so the step goes back to pending and
 * runs again on resume (an agent step continuing its session).
 */
export type PausedOutcome = Extract<StepJobOutcome, { ok: false }> & { paused: true };

export function pausedOutcome(): PausedOutcome {
  return {
    ok: false,
    paused: true,
    error: { name: "StepPausedError", message: "the run was paused while this step ran" },
  };
}

export function isPausedOutcome(outcome: StepJobOutcome): outcome is PausedOutcome {
  return !outcome.ok && (outcome as Partial<PausedOutcome>).paused === true;
}
