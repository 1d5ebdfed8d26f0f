// The one table of run states. Free of zod so the board can import it without the schemas
// (`@phaseboard/contracts/runStates`); the server's reducer, the board's action list and
// optimistic updates, and the CLI all read it.

/**
 * Every status a run can be in. `blocked`: queued, but waiting for the runs it was created
 * to start after (card dependencies) before it may be claimed.
 */
export const runStatuses = [
  "blocked",
  "pending",
  "running",
  "paused",
  "waiting",
  "completed",
  "failed",
  "cancelled",
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Every status a step can be in; `waiting`: for an approval, a signal, a timer or a person. */
export const stepStatuses = [
  "pending",
  "running",
  "waiting",
  "completed",
  "failed",
  "skipped",
  "cancelled",
] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** The status of a run when it is created: queued for a free slot. */
export const initialRunStatus = "pending" satisfies RunStatus;

/**
 * What can happen to a run's status. People (the API, the board, the CLI) pause, resume,
 * cancel and rewind; `wake` is a waiting run getting what it waited for (a signal, an
 * approval, a timer); `block` and `unblock` are a queued run made to wait for its
 * prerequisites and released when they all completed; the rest are the executor's and the
 * run manager's reports.
 */
export const runActionTypes = [
  "pause",
  "resume",
  "cancel",
  "rewind",
  "wake",
  "claim",
  "wait",
  "complete",
  "fail",
  "park",
  "block",
  "unblock",
] as const;
export type RunActionType = (typeof runActionTypes)[number];

/** The actions a person asks for through the API, the board or the CLI. */
export const userRunActions = [
  "pause",
  "resume",
  "cancel",
  "rewind",
] as const satisfies readonly RunActionType[];
export type UserRunAction = (typeof userRunActions)[number];

/** Why an action is refused: each its own error code (409) in the API's error registry. */
export const runRefusals = {
  RUN_NOT_PAUSABLE: "Only a pending, running or waiting run can be paused.",
  RUN_NOT_RESUMABLE: "Only a paused, waiting, failed or blocked run can be resumed.",
  RUN_ALREADY_ENDED: "The run has ended; rewind it to run it again.",
  RUN_NOT_REWINDABLE: "A running run cannot be rewound; pause it first.",
  RUN_NOT_STARTED:
    "The run waits for its prerequisites and has not started; start it anyway or cancel it.",
  RUN_STATE_CHANGED: "The run's status changed while this was under way; look again and retry.",
} as const satisfies Record<string, string>;
export type RunRefusalCode = keyof typeof runRefusals;

/** One cell: the status the action leads to, or the refusal. */
export type RunTransition = { to: RunStatus } | { refuse: RunRefusalCode };

const to = (status: RunStatus) => ({ to: status });
const refuse = (code: RunRefusalCode) => ({ refuse: code });
/** Reports the executor or the manager make only in some statuses: a race when refused. */
const changed = refuse("RUN_STATE_CHANGED");
const notPausable = refuse("RUN_NOT_PAUSABLE");
const notResumable = refuse("RUN_NOT_RESUMABLE");
const ended = refuse("RUN_ALREADY_ENDED");

/**
 * Status × action → next status or refusal. One row per status, one cell per action: a
 * new status is one more row, and the type below fails to compile until every cell of it
 * is filled in.
 *
 * - A resumed run (paused, waiting or failed) goes back to the queue (`pending`) and
 *   continues from its last checkpoint; a failed run re-runs the step that failed.
 * - `park` puts an executing run back in the queue at shutdown or after a lost lease.
 * - A blocked run is never claimed; resuming it starts it without waiting for its
 *   prerequisites ("start anyway"), and `unblock` queues it once they all completed.
 */
// biome-ignore format: a table reads best as one row per status
export const runTransitions = {
  //           pause             resume            cancel               rewind                wake               claim                wait               complete             fail              park              block               unblock
  blocked:   { pause: notPausable, resume: to("pending"), cancel: to("cancelled"), rewind: refuse("RUN_NOT_STARTED"), wake: changed, claim: changed, wait: changed, complete: changed, fail: changed, park: changed, block: changed, unblock: to("pending") },
  pending:   { pause: to("paused"), resume: notResumable, cancel: to("cancelled"), rewind: to("pending"), wake: changed, claim: to("running"), wait: changed, complete: changed, fail: to("failed"), park: changed, block: to("blocked"), unblock: changed },
  running:   { pause: to("paused"), resume: notResumable, cancel: to("cancelled"), rewind: refuse("RUN_NOT_REWINDABLE"), wake: changed, claim: to("running"), wait: to("waiting"), complete: to("completed"), fail: to("failed"), park: to("pending"), block: changed, unblock: changed },
  paused:    { pause: notPausable, resume: to("pending"), cancel: to("cancelled"), rewind: to("pending"), wake: changed, claim: changed, wait: changed, complete: changed, fail: changed, park: to("pending"), block: changed, unblock: changed },
  waiting:   { pause: to("paused"), resume: to("pending"), cancel: to("cancelled"), rewind: to("pending"), wake: to("pending"), claim: changed, wait: changed, complete: changed, fail: changed, park: changed, block: changed, unblock: changed },
  completed: { pause: notPausable, resume: notResumable, cancel: ended, rewind: to("pending"), wake: changed, claim: changed, wait: changed, complete: changed, fail: changed, park: changed, block: changed, unblock: changed },
  failed:    { pause: notPausable, resume: to("pending"), cancel: ended, rewind: to("pending"), wake: changed, claim: changed, wait: changed, complete: changed, fail: changed, park: changed, block: changed, unblock: changed },
  cancelled: { pause: notPausable, resume: notResumable, cancel: ended, rewind: to("pending"), wake: changed, claim: changed, wait: changed, complete: changed, fail: changed, park: changed, block: changed, unblock: changed },
} as const satisfies Record<RunStatus, Record<RunActionType, RunTransition>>;

/** The cell for `status` × `action`. */
export function runTransition(status: RunStatus, action: RunActionType): RunTransition {
  return runTransitions[status][action];
}

/** The status `action` leads to from `status`, or undefined when the table refuses it. */
export function nextRunStatus(status: RunStatus, action: RunActionType): RunStatus | undefined {
  const cell = runTransition(status, action);
  return "to" in cell ? cell.to : undefined;
}

/** What a person may do with a run in `status`: exactly what the server accepts. */
export function allowedUserActions(status: RunStatus): Record<UserRunAction, boolean> {
  return {
    pause: nextRunStatus(status, "pause") !== undefined,
    resume: nextRunStatus(status, "resume") !== undefined,
    cancel: nextRunStatus(status, "cancel") !== undefined,
    rewind: nextRunStatus(status, "rewind") !== undefined,
  };
}

/** Statuses after which a run never runs again unless a person resumes or rewinds it. */
export const terminalRunStatuses = [
  "completed",
  "failed",
  "cancelled",
] as const satisfies RunStatus[];

/** The refusal's sentence for one status and action, e.g. "Cannot pause a run that is cancelled". */
export function refusalMessage(status: RunStatus, action: RunActionType): string {
  return `Cannot ${action} a run that is ${status}`;
}

/** Every code the table can refuse `action` with: what an API route for it documents. */
export function runRefusalCodes(action: RunActionType): RunRefusalCode[] {
  const codes = new Set<RunRefusalCode>();
  for (const status of runStatuses) {
    const cell = runTransition(status, action);
    if ("refuse" in cell) codes.add(cell.refuse);
  }
  return [...codes];
}
