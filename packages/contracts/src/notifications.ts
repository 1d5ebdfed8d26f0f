import { z } from "zod";
import { idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/**
 * The moments a run needs a person or has ended: it waits for an approval or a signal,
 * it failed, a budget paused it, it completed.
 */
export const notificationEventSchema = z.enum(["waiting", "failed", "paused", "completed"]);
export type NotificationEvent = z.infer<typeof notificationEventSchema>;

/** One outgoing webhook of `.agent/phaseboard.yaml`'s `notify:` list. */
export const notifyTargetSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
    .max(2000, "is too long"),
  /** Default: every event. */
  events: z
    .array(notificationEventSchema, {
      error: "expected a list of waiting, failed, paused or completed",
    })
    .min(1, "must name at least one event")
    .optional(),
  /** `json` (the event as JSON, the default) or `slack` (a Slack incoming-webhook text). */
  format: z.enum(["json", "slack"], { error: "expected json or slack" }).optional(),
});
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;

/** What a run notification says, on webhooks, the board and `phaseboard watch`. */
export const runNotificationSchema = z.object({
  event: notificationEventSchema,
  execution_id: idSchema,
  project_id: idSchema,
  run_name: z.string(),
  /** Why: the step waiting, the error, the budget reached. */
  message: z.string(),
  /** Where the run is on the board (the server's own address). */
  url: z.string().nullable(),
  at: timestampSchema,
});
export type RunNotification = z.infer<typeof runNotificationSchema>;

/** One webhook delivery recorded on its run. */
export const webhookDeliverySchema = z.object({
  id: idSchema,
  workflow_run_id: idSchema,
  event: notificationEventSchema,
  url: z.string(),
  format: z.enum(["json", "slack"]),
  /** `pending` while attempts remain, then `delivered` or `failed`. */
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int().nonnegative(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  delivered_at: timestampSchema.nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveryListResponseSchema = dataEnvelope(z.array(webhookDeliverySchema));
