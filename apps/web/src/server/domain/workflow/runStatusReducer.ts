import type { RunStatus } from "@phaseboard/contracts";

/** Everything that can happen to a run's status, from people, the executor or the manager. */
export type RunAction =
  | { type: "claim"; workerId: string; at: Date; resumed?: boolean }
  | { type: "pause"; at: Date }
  | { type: "resume" }
  | { type: "cancel"; at: Date }
  | { type: "rewind" }
  | { type: "wait" }
  | { type: "complete"; at: Date }
  | { type: "fail"; at: Date; message: string }
  | { type: "park" };

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

/** An action the run's current status does not allow: the API answers 409. */
export class RunTransitionError extends Error {
  readonly code = "CONFLICT";
  constructor(
    readonly from: RunStatus,
    readonly action: RunAction["type"],
  ) {
    super(`Cannot ${action} a run that is ${from}`);
    this.name = "RunTransitionError";
  }
}

const FINISHED: RunStatus[] = ["completed", "failed", "cancelled"];

/**
 * The one place run statuses change (STYLE 4): an action and the current status give the
 * new columns, or a RunTransitionError. Every caller — routes, the run manager, the
 * executor's observer — goes through it, so the rules cannot drift apart.
 */
export function runStatusReducer(state: RunStatusState, action: RunAction): RunPatch {
  const { status } = state;
  const refuse = (): never => {
    throw new RunTransitionError(status, action.type);
  };
  switch (action.type) {
    case "claim":
      if (status !== "pending" && status !== "running") refuse();
      return {
        status: "running",
        worker_id: action.workerId,
        heartbeat_at: action.at,
        // A resumed run keeps the time it first started.
        ...(!action.resumed && { started_at: action.at }),
        paused_at: null,
      };
    case "pause":
      if (status !== "pending" && status !== "running" && status !== "waiting") refuse();
      return { status: "paused", paused_at: action.at };
    case "resume":
      if (status !== "paused" && status !== "waiting") refuse();
      // A reason it paused for (a budget) no longer holds once someone resumes it.
      return { status: "pending", paused_at: null, error_message: null };
    case "cancel":
      if (FINISHED.includes(status)) refuse();
      return { status: "cancelled", cancelled_at: action.at, worker_id: null, heartbeat_at: null };
    case "rewind":
      if (status === "running") refuse();
      return { status: "pending", completed_at: null, error_message: null, paused_at: null };
    case "wait":
      if (status !== "running") refuse();
      return { status: "waiting", worker_id: null, heartbeat_at: null };
    case "complete":
      if (status !== "running") refuse();
      return { status: "completed", completed_at: action.at, worker_id: null, heartbeat_at: null };
    case "fail":
      if (status !== "running" && status !== "pending") refuse();
      return {
        status: "failed",
        completed_at: action.at,
        error_message: action.message,
        worker_id: null,
        heartbeat_at: null,
      };
    case "park":
      // Shutdown: a running run goes back to the queue so the next start resumes it.
      if (status !== "running") refuse();
      return { status: "pending", worker_id: null, heartbeat_at: null };
    default: {
      const unhandled: never = action;
      throw new Error(`Unhandled run action ${JSON.stringify(unhandled)}`);
    }
  }
}
