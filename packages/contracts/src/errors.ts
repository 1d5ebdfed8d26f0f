import { z } from "zod";
import { runRefusals } from "./runStates.js";

/**
 * Every error code the API can answer with, its HTTP status and its default message.
 * One registry for the whole API: the server's error handler, the OpenAPI document and
 * the clients all read it, and a test fails when a code is missing from any of them.
 */
export const errorRegistry = {
  BAD_REQUEST: { status: 400, message: "The request is malformed." },
  VALIDATION_FAILED: { status: 400, message: "The request did not pass validation." },
  UNAUTHORIZED: { status: 401, message: "A valid access token is required." },
  HOST_NOT_ALLOWED: { status: 403, message: "This server does not answer to that host name." },
  ORIGIN_NOT_ALLOWED: { status: 403, message: "Requests from that page are not allowed." },
  NOT_FOUND: { status: 404, message: "No such resource." },
  ROUTE_NOT_FOUND: { status: 404, message: "No such route." },
  // Each kind of 409 (a state that does not allow the request) has a code of its own, so a
  // client can tell them apart; the run refusals come from the table of run states.
  RUN_NOT_PAUSABLE: { status: 409, message: runRefusals.RUN_NOT_PAUSABLE },
  RUN_NOT_RESUMABLE: { status: 409, message: runRefusals.RUN_NOT_RESUMABLE },
  RUN_ALREADY_ENDED: { status: 409, message: runRefusals.RUN_ALREADY_ENDED },
  RUN_NOT_REWINDABLE: { status: 409, message: runRefusals.RUN_NOT_REWINDABLE },
  RUN_NOT_STARTED: { status: 409, message: runRefusals.RUN_NOT_STARTED },
  RUN_STATE_CHANGED: { status: 409, message: runRefusals.RUN_STATE_CHANGED },
  RUN_STILL_ACTIVE: {
    status: 409,
    message: "The run is queued or running; pause it or let it finish first.",
  },
  RUN_ALREADY_STARTED: {
    status: 409,
    message: "The run has started: it can no longer wait for other runs.",
  },
  DEPENDENCY_ON_ITSELF: { status: 409, message: "A run cannot wait for itself." },
  DEPENDENCY_CYCLE: {
    status: 409,
    message: "The link would close a loop: that run already waits for this one.",
  },
  DEPENDENCY_OTHER_PROJECT: {
    status: 409,
    message: "A run can only wait for runs of its own project.",
  },
  PREREQUISITE_ENDED: {
    status: 409,
    message: "That run failed or was cancelled, so it can never complete.",
  },
  RUN_HAS_NO_WORKTREE: {
    status: 409,
    message: "The run works in its project folder, not a worktree.",
  },
  WORKTREE_REMOVED: { status: 409, message: "The run's worktree was removed; its branch remains." },
  WORKTREE_UNAVAILABLE: { status: 409, message: "Git could not create the run's worktree." },
  REVIEW_IN_PROGRESS: {
    status: 409,
    message: "A review follow-up is running in the run's worktree.",
  },
  NO_AGENT_SESSION: { status: 409, message: "There is no agent session to resume." },
  BUDGET_EXCEEDED: { status: 409, message: "The run has spent its budget; raise it first." },
  TEMPLATE_NOT_LOADED: { status: 409, message: "The template does not load; fix its file first." },
  WEBHOOK_SECRET_MISSING: { status: 409, message: "The webhook trigger has no secret set." },
  MERGE_WRONG_BRANCH: { status: 409, message: "The checkout is not on the run's base branch." },
  MERGE_DIRTY_CHECKOUT: { status: 409, message: "The checkout has uncommitted changes." },
  MERGE_NOT_FAST_FORWARD: { status: 409, message: "The base branch has moved on; squash instead." },
  MERGE_CONFLICT: { status: 409, message: "The run's branch conflicts with its base." },
  PULL_REQUEST_UNAVAILABLE: {
    status: 409,
    message:
      "A pull request cannot be opened here (no remote, or its CLI is missing or signed out).",
  },
  PULL_REQUEST_FAILED: { status: 409, message: "The host's CLI did not open the pull request." },
  PUSH_REJECTED: { status: 409, message: "The remote refused the push." },
  PORTS_EXHAUSTED: {
    status: 409,
    message: "Every port block of the configured range is held by a live run.",
  },
  PREVIEW_NOT_CONFIGURED: {
    status: 409,
    message: "The project's .agent/phaseboard.yaml declares no preview command.",
  },
  PREVIEW_PORT_IN_USE: {
    status: 409,
    message: "Another program listens on the run's preview port.",
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The upload exceeds the size limit." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Unsupported content type." },
  INTERNAL_ERROR: { status: 500, message: "Something went wrong on the server." },
  SERVICE_UNAVAILABLE: { status: 503, message: "The server is shutting down." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorRegistry;

export const errorCodes = Object.keys(errorRegistry) as [ErrorCode, ...ErrorCode[]];

/** `{ "error": { "code", "message" } }`, the body of every 4xx and 5xx answer. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** `{ "data": … }`, the body of every successful answer. */
export function dataEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ data });
}
