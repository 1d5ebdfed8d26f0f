import { z } from "zod";
import {
  type RunStatus,
  runStatuses,
  type StepStatus,
  stepStatuses,
  terminalRunStatuses,
} from "./runStates.js";

/** A database id (cuid). Non-empty and free of path separators, so it can name folders. */
export const idSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64, "is too long")
  .regex(/^[A-Za-z0-9_-]+$/, "must contain only letters, digits, '-' and '_'");

/** An ISO 8601 timestamp as JSON carries a `Date` (`2025-01-25T10:00:00.000Z`). */
export const timestampSchema = z.iso.datetime({ offset: true });

/** Any JSON value (run arguments, state, step output). */
export const jsonValueSchema: z.ZodType<unknown> = z.unknown();

/** `pending | running | paused | waiting | completed | failed | cancelled` (see runStates.ts). */
export const runStatusSchema = z.enum(runStatuses);
export type { RunStatus };
export { terminalRunStatuses };

/** `pending | running | waiting | completed | failed | skipped | cancelled` (see runStates.ts). */
export const stepStatusSchema = z.enum(stepStatuses);
export type { StepStatus };

/** What kind of work a step does. */
export const stepTypeSchema = z.enum([
  "agent",
  "script",
  "function",
  "approval",
  "signal",
  "sleep",
  "workflow",
]);
export type StepType = z.infer<typeof stepTypeSchema>;

/** Who wrote a comment: a person, Phaseboard itself, or an agent through `ctx.comment`. */
export const commentTypeSchema = z.enum(["user", "system", "agent"]);
export type CommentType = z.infer<typeof commentTypeSchema>;

/** What an artifact is, for the board's preview. */
export const fileTypeSchema = z.enum(["image", "video", "document", "code", "other"]);
export type FileType = z.infer<typeof fileTypeSchema>;

/** `:id` in a route. */
export const idParamsSchema = z.object({ id: idSchema });
export type IdParams = z.infer<typeof idParamsSchema>;
