import { z } from "zod";
import { idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/** The ports a run with a worktree holds: `PHASEBOARD_PORT` is the first, `PHASEBOARD_PORTS` all. */
export const portBlockSchema = z.object({
  first_port: z.number().int(),
  size: z.number().int(),
  /** `20000-20009`, as `PHASEBOARD_PORTS` carries it. */
  ports: z.string(),
});
export type PortBlock = z.infer<typeof portBlockSchema>;

/**
 * `starting`: launched, not answering yet; `ready`: `ready_path` answered; `exited`: the
 * command ended by itself (see `exit_code`); `failed`: it never answered within
 * `ready_timeout` and was stopped; `stopped`: stopped by a person, an archive, a discard or
 * the server stopping.
 */
export const previewStatusSchema = z.enum(["starting", "ready", "exited", "failed", "stopped"]);
export type PreviewStatus = z.infer<typeof previewStatusSchema>;

/** A run's preview: its dev server, started in the run's worktree. */
export const previewSchema = z.object({
  execution_id: idSchema,
  status: previewStatusSchema,
  /** The command as written in `.agent/phaseboard.yaml`. */
  command: z.string(),
  port: z.number().int(),
  /** `http://127.0.0.1:<port><ready_path>`; the board links to it once `ready`. */
  url: z.string(),
  /** The process group's leader while it runs. */
  pid: z.number().int().nullable(),
  exit_code: z.number().int().nullable(),
  /** Why it is not running, in words (exited with code 1, never answered within 60 s…). */
  message: z.string().nullable(),
  /** The end of its output (stdout and stderr), secrets redacted. */
  log: z.string(),
  started_at: timestampSchema,
});
export type Preview = z.infer<typeof previewSchema>;

/** `GET /api/workflow-executions/:id/preview`: its ports, and its preview if one was started. */
export const previewStatusResponseSchema = dataEnvelope(
  z.object({
    execution_id: idSchema,
    port_block: portBlockSchema.nullable(),
    /** The project declares `preview:` in `.agent/phaseboard.yaml`. */
    configured: z.boolean(),
    preview: previewSchema.nullable(),
  }),
);
export const previewResponseSchema = dataEnvelope(previewSchema);
