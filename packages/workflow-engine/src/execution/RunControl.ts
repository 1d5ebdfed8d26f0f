/** Why a ctx call stopped without settling: the run is set aside and resumes later. */
export type Suspension = "paused" | "waiting" | "crashed";

/** Abort reason meaning "this step did not finish; run it again on resume". */
export class Interrupt extends Error {
  constructor(readonly reason: Suspension) {
    super(`step interrupted (${reason})`);
  }
}

/** Where a run held by this process stands, as far as pause, cancel and suspend go. */
export interface RunControlState {
  /** The run has ended this execution: control calls are ignored from now on. */
  stopped: boolean;
  pauseRequested: boolean;
  cancelRequested: boolean;
  /** A cancel nobody has heard yet: the next ctx call throws it. */
  cancelUndelivered: boolean;
  suspension: Suspension | undefined;
}

/** Everything that changes a run's control state; applied by {@link reduceRunControl} only. */
export type RunControlAction =
  | { type: "pause" }
  /** `delivered`: a ctx call is in flight and hears it by being aborted. */
  | { type: "cancel"; delivered: boolean }
  | { type: "crash" }
  /** A ctx call parks the run (`paused` by a pause or a budget, `waiting` for input). */
  | { type: "suspend"; reason: Suspension }
  /** Nothing is in flight any more: a requested pause takes effect. */
  | { type: "settle" }
  /** The next ctx call threw the undelivered cancel. */
  | { type: "cancelDelivered" }
  | { type: "stop" };

export const initialRunControl: RunControlState = {
  stopped: false,
  pauseRequested: false,
  cancelRequested: false,
  cancelUndelivered: false,
  suspension: undefined,
};

/**
 * The one place a run's control state changes. Pure: the caller performs the effects
 * (aborting steps, resolving `done`) that the new state calls for.
 */
export function reduceRunControl(
  state: RunControlState,
  action: RunControlAction,
): RunControlState {
  switch (action.type) {
    case "pause":
      return state.stopped ? state : { ...state, pauseRequested: true };
    case "cancel":
      if (state.stopped || state.cancelRequested) return state;
      return {
        ...state,
        cancelRequested: true,
        pauseRequested: false,
        cancelUndelivered: !action.delivered,
      };
    case "crash":
      return state.stopped ? state : { ...state, suspension: "crashed" };
    case "suspend":
      // A crash outranks everything; otherwise the first reason to suspend stands.
      if (state.suspension && action.reason !== "crashed") return state;
      return { ...state, suspension: action.reason };
    case "settle":
      return state.pauseRequested && !state.suspension ? { ...state, suspension: "paused" } : state;
    case "cancelDelivered":
      return { ...state, cancelUndelivered: false };
    case "stop":
      return { ...state, stopped: true };
    default: {
      const never: never = action;
      throw new Error(`unknown run control action ${JSON.stringify(never)}`);
    }
  }
}

/** What a ctx call about to do real work must do first. */
export type GateVerdict = "proceed" | "park" | "throw-cancel";

export function gateVerdict(state: RunControlState): GateVerdict {
  if (state.suspension === "crashed") return "park";
  if (state.cancelUndelivered) return "throw-cancel";
  if (state.suspension || (state.pauseRequested && !state.cancelRequested)) return "park";
  return "proceed";
}
