import {
  nextRunStatus,
  type RunActionType,
  type RunRefusalCode,
  type RunStatus,
  refusalMessage,
  runTransition,
} from "@phaseboard/contracts";

/** Everything that can happen to a run's status, from people, the executor or the manager. */
export type RunAction =
  | { type: "claim"; workerId: string; at: Date; resumed?: boolean }
  | { type: "pause"; at: Date }
  | { type: "resume" }
  | { type: "wake" }
  | { type: "cancel"; at: Date }
  | { type: "rewind" }
  | { type: "wait" }
  | { type: "complete"; at: Date }
  | { type: "fail"; at: Date; message: string }
  | { type: "park" }
  /** A queued run that has not started is made to wait for other runs. */
  | { type: "block" }
  /** Every run it waited for has completed. */
  | { type: "unblock" };

// Every action of the table has a case here, and nothing else.
type _SameActions = [RunAction["type"]] extends [RunActionType]
  ? [RunActionType] extends [RunAction["type"]]
    ? true
    : never
  : never;
const _sameActions: _SameActions = true;
void _sameActions;

export interface RunStatusState {
  status: RunStatus;
}

/** The columns an action changes on the run row. */
export interface RunPatch {
  status: RunStatus;
  worker_id?: string | null;
  heartbeat_at?: Date | null;
  started_at?: Date;
  paused_at?: Date | null;
  cancelled_at?: Date;
  completed_at?: Date | null;
  error_message?: string | null;
}

/** An action the table of run states refuses: answered 409 with the refusal's own code. */
export class RunTransitionError extends Error {
  readonly code: RunRefusalCode;
  constructor(
    readonly from: RunStatus,
    readonly action: RunAction["type"],
  ) {
    super(refusalMessage(from, action));
    this.name = "RunTransitionError";
    const cell = runTransition(from, action);
    this.code = "refuse" in cell ? cell.refuse : "RUN_STATE_CHANGED";
  }
}

/**
 * The one place the server changes run statuses (STYLE 4): the table of run states in
 * @phaseboard/contracts says whether an action is allowed and which status it leads to;
 * this adds the columns that go with it, or throws a RunTransitionError with the table's
 * refusal. Every caller — routes, the run manager, the executor's observer — goes through
 * it, so the server, the board and the CLI cannot drift apart.
 */
export function runStatusReducer(state: RunStatusState, action: RunAction): RunPatch {
  const status = nextRunStatus(state.status, action.type);
  if (status === undefined) throw new RunTransitionError(state.status, action.type);
  switch (action.type) {
    case "claim":
      return {
        status,
        worker_id: action.workerId,
        heartbeat_at: action.at,
        // A resumed run keeps the time it first started.
        ...(!action.resumed && { started_at: action.at }),
        paused_at: null,
      };
    case "pause":
      return { status, paused_at: action.at };
    case "resume":
      // A reason it paused or failed for (a budget, a step) no longer holds once someone
      // resumes it; a failed run is no longer finished.
      return { status, paused_at: null, error_message: null, completed_at: null };
    case "wake":
      return { status, paused_at: null };
    case "cancel":
      return { status, cancelled_at: action.at, worker_id: null, heartbeat_at: null };
    case "rewind":
      return { status, completed_at: null, error_message: null, paused_at: null };
    case "wait":
      return { status, worker_id: null, heartbeat_at: null };
    case "complete":
      return { status, completed_at: action.at, worker_id: null, heartbeat_at: null };
    case "fail":
      return {
        status,
        completed_at: action.at,
        error_message: action.message,
        worker_id: null,
        heartbeat_at: null,
      };
    case "park":
      // Back to the queue with no lease, so the next start resumes it.
      return { status, worker_id: null, heartbeat_at: null, paused_at: null };
    case "block":
      return { status };
    case "unblock":
      return { status, error_message: null };
    default: {
      const unhandled: never = action;
      throw new Error(`Unhandled run action ${JSON.stringify(unhandled)}`);
    }
  }
}
