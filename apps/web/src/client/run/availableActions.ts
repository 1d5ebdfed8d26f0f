import { allowedUserActions, nextRunStatus, type RunStatus } from "@phaseboard/contracts/runStates";

/**
 * Which actions the board offers for a run: read from the table of run states the server
 * applies, so no button is offered that the server refuses.
 */
export function availableActions(run: { status: RunStatus }) {
  return {
    ...allowedUserActions(run.status),
    // An approval is what a waiting run waits for: it wakes the run.
    approve: nextRunStatus(run.status, "wake") !== undefined,
  };
}
