import { z } from "zod";
import {
  commentTypeSchema,
  idSchema,
  runStatusSchema,
  stepStatusSchema,
  stepTypeSchema,
} from "./common.js";

/** Every event names its project, so a board subscribed to one project can filter. */
const base = { execution_id: idSchema, project_id: idSchema };

function event<const T extends string, S extends z.ZodRawShape>(type: T, data: S) {
  return z.object({ type: z.literal(type), data: z.object({ ...base, ...data }) });
}

/**
 * `workflow.execution.created`: a new card. Carries what the board needs to draw it
 * without a fetch.
 */
export const runCreatedEventSchema = event("workflow.execution.created", {
  workflow_definition_id: idSchema,
  name: z.string(),
  status: runStatusSchema,
  current_phase: z.string().nullable(),
  position: z.string(),
  parent_run_id: idSchema.nullable(),
});

/** `workflow.execution.status_changed`. */
export const runStatusChangedEventSchema = event("workflow.execution.status_changed", {
  status: runStatusSchema,
  error_message: z.string().nullable().optional(),
  /** Set when the run was handed to a `phaseboard worker` (restate backend). */
  step_worker: z.string().nullable().optional(),
});

/** `workflow.execution.phase_changed`: the card moves column. */
export const runPhaseChangedEventSchema = event("workflow.execution.phase_changed", {
  current_phase: z.string(),
  current_step_index: z.number().int().nonnegative().optional(),
});

/** `workflow.execution.updated`: renamed, moved within its column, archived. */
export const runUpdatedEventSchema = event("workflow.execution.updated", {
  name: z.string(),
  position: z.string(),
  archived: z.boolean(),
});

/**
 * `workflow.execution.prerequisites_changed`: the runs this run waits for, all of them, after
 * it was created with `after` or linked to more runs on the board.
 */
export const runPrerequisitesChangedEventSchema = event(
  "workflow.execution.prerequisites_changed",
  {
    after_ids: z.array(idSchema),
  },
);

/** `workflow.execution.state_changed`: the template called `ctx.setState`. */
export const runStateChangedEventSchema = event("workflow.execution.state_changed", {
  state: z.record(z.string(), z.unknown()),
});

/** `workflow.step.started`. `step_id` is the step row's id; `step_key` the memo key. */
export const stepStartedEventSchema = event("workflow.step.started", {
  step_id: idSchema,
  step_key: z.string(),
  step_name: z.string(),
  phase: z.string(),
  type: stepTypeSchema,
  attempt: z.number().int().positive(),
});

/** `workflow.step.completed`: the step finished (completed, failed, skipped or cancelled). */
export const stepCompletedEventSchema = event("workflow.step.completed", {
  step_id: idSchema,
  step_key: z.string(),
  status: stepStatusSchema,
  error_message: z.string().nullable().optional(),
  duration_ms: z.number().nonnegative().optional(),
  /** What an agent step spent (dollars, input + output tokens), so a card adds it up. */
  cost_usd: z.number().nonnegative().optional(),
  tokens: z.number().int().nonnegative().optional(),
});

/** `workflow.step.progress`: one line of streamed output (a line of events.jsonl). */
export const stepProgressEventSchema = event("workflow.step.progress", {
  step_id: idSchema,
  step_key: z.string(),
  output: z.string(),
  kind: z.enum(["stdout", "stderr", "log", "agent", "system"]).optional(),
  at: z.string().optional(),
});

/**
 * `workflow.step.approval`: an agent step asked a person for an approval (`requested`: the
 * step waits) or the request was decided or ended with its step (the step runs on).
 */
export const stepApprovalEventSchema = event("workflow.step.approval", {
  step_id: idSchema,
  step_key: z.string(),
  approval_id: z.string(),
  status: z.enum(["requested", "approved", "rejected", "expired"]),
  message: z.string(),
  comment: z.string().nullable().optional(),
});

/** `workflow.comment.created`. */
export const commentCreatedEventSchema = event("workflow.comment.created", {
  comment_id: idSchema,
  step_id: idSchema.nullable(),
  comment_type: commentTypeSchema,
});

/** `workflow.artifact.created`: a file was uploaded or produced. */
export const artifactCreatedEventSchema = event("workflow.artifact.created", {
  artifact_id: idSchema,
  step_id: idSchema,
});

/** `workflow.artifact.attached`: an artifact was attached to a comment, or detached (null). */
export const artifactAttachedEventSchema = event("workflow.artifact.attached", {
  artifact_id: idSchema,
  comment_id: idSchema.nullable(),
});

/**
 * `workflow.definitions.changed`: a project's templates were re-read (a file was added,
 * edited, removed or broke). The only event not about one run.
 */
export const definitionsChangedEventSchema = z.object({
  type: z.literal("workflow.definitions.changed"),
  data: z.object({ project_id: idSchema }),
});

/** `workflow.execution.pull_request`: the run's pull request was opened or changed state. */
export const runPullRequestEventSchema = event("workflow.execution.pull_request", {
  url: z.string(),
  number: z.number().int(),
  state: z.enum(["open", "merged", "closed"]),
  checks: z.enum(["passing", "failing", "pending", "none"]),
});

/**
 * `workflow.execution.notification`: the run needs a person (it waits for an approval or a
 * signal, a budget paused it) or ended (failed, completed). Browser notifications and
 * `phaseboard watch` show these.
 */
export const runNotificationEventSchema = event("workflow.execution.notification", {
  event: z.enum(["waiting", "failed", "paused", "completed"]),
  run_name: z.string(),
  message: z.string(),
});

/** `workflow.execution.preview`: the run's preview started, answered, ended or was stopped. */
export const runPreviewEventSchema = event("workflow.execution.preview", {
  status: z.enum(["starting", "ready", "exited", "failed", "stopped"]),
  url: z.string(),
  port: z.number().int(),
});

/** Every `workflow.*` event the server pushes, discriminated by `type`. */
export const workflowEventSchema = z.discriminatedUnion("type", [
  runCreatedEventSchema,
  runStatusChangedEventSchema,
  runPhaseChangedEventSchema,
  runUpdatedEventSchema,
  runStateChangedEventSchema,
  runPrerequisitesChangedEventSchema,
  stepStartedEventSchema,
  stepCompletedEventSchema,
  stepProgressEventSchema,
  stepApprovalEventSchema,
  commentCreatedEventSchema,
  artifactCreatedEventSchema,
  artifactAttachedEventSchema,
  definitionsChangedEventSchema,
  runPullRequestEventSchema,
  runNotificationEventSchema,
  runPreviewEventSchema,
]);
export type WorkflowEvent = z.infer<typeof workflowEventSchema>;
export type WorkflowEventType = WorkflowEvent["type"];
/** The payload of one event type: `WorkflowEventData<"workflow.step.started">`. */
export type WorkflowEventData<T extends WorkflowEventType> = Extract<
  WorkflowEvent,
  { type: T }
>["data"];

export const workflowEventTypes = workflowEventSchema.options.map(
  (option) => option.shape.type.value,
) as WorkflowEventType[];

/** Sent once after the socket opens: who the server is and what the client gets. */
export const helloMessageSchema = z.object({
  type: z.literal("hello"),
  data: z.object({
    version: z.string(),
    /** null: every project's events. */
    project_id: idSchema.nullable(),
  }),
});

/** Answer to `ping`. */
export const pongMessageSchema = z.object({
  type: z.literal("pong"),
  data: z.object({ id: z.string().optional() }),
});

/** Confirms a `subscribe`. */
export const subscribedMessageSchema = z.object({
  type: z.literal("subscribed"),
  data: z.object({ project_id: idSchema.nullable() }),
});

/** A client message the server could not accept; the socket stays open. */
export const socketErrorMessageSchema = z.object({
  type: z.literal("error"),
  data: z.object({ code: z.string(), message: z.string() }),
});

/**
 * Events may have been missed (the server's link to the other servers of a board dropped
 * and came back): refetch what is shown rather than trust the patches so far.
 */
export const resyncMessageSchema = z.object({
  type: z.literal("resync"),
  data: z.object({ reason: z.string() }),
});

/** Everything the server sends on `/ws`. */
export const serverMessageSchema = z.discriminatedUnion("type", [
  ...workflowEventSchema.options,
  helloMessageSchema,
  resyncMessageSchema,
  pongMessageSchema,
  subscribedMessageSchema,
  socketErrorMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/**
 * `{ "type": "subscribe", "project_id": … }`: receive only that project's events
 * (`null`: all projects, the default).
 */
export const subscribeMessageSchema = z.object({
  type: z.literal("subscribe"),
  project_id: idSchema.nullable(),
});

/** `{ "type": "ping" }`: the server answers `pong` with the same id. */
export const pingMessageSchema = z.object({
  type: z.literal("ping"),
  id: z.string().max(200).optional(),
});

/** Everything a client may send on `/ws`. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  subscribeMessageSchema,
  pingMessageSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
