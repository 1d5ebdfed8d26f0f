import { z } from "zod";
import { idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";
import { notifyTargetSchema } from "./notifications.js";
import { budgetSchema } from "./runs.js";

/** A command: a shell line (`sh -c`), or an argv list run without a shell. */
export const workspaceCommandSchema = z.union(
  [
    z.string().trim().min(1, "must not be empty"),
    z
      .array(z.string().min(1, "must not be empty"), { error: "expected a list of strings" })
      .min(1, "must name a program"),
  ],
  { error: 'expected a shell line such as "pnpm install" or an argv list such as [pnpm, install]' },
);

/** `"30s" | "10m" | "2h"` or milliseconds. */
const durationSchema = z.union(
  [
    z.number().int().positive("must be a positive number of milliseconds"),
    z
      .string()
      .regex(
        /^\d+(\.\d+)?(ms|s|m|h)$/,
        'expected a duration such as "90s", "10m" or a number of milliseconds',
      ),
  ],
  { error: 'expected a duration such as "90s", "10m" or a number of milliseconds' },
);

/**
 * `preview:` — the dev server a run's **Preview** button starts in its worktree. `command`
 * runs like `workspace.setup` (a string through `sh -c`, a list without a shell) with
 * `port_env` (default `PORT`) set to the run's first port; the board links to it once
 * `http://127.0.0.1:<port><ready_path>` answers.
 */
export const previewConfigSchema = z.strictObject({
  command: workspaceCommandSchema,
  port_env: z
    .string({ error: "expected an environment variable name such as PORT" })
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      "expected an environment variable name such as PORT (letters, digits and _, not starting with a digit)",
    )
    .default("PORT"),
  ready_path: z
    .string({ error: 'expected a path such as "/"' })
    .startsWith("/", 'must start with "/", such as "/" or "/health"')
    .regex(/^\/[^\s#\\]*$/, "must be a URL path without spaces, # or backslashes")
    .default("/"),
  /** How long the preview may take to answer before it is stopped (default 60s). */
  ready_timeout: durationSchema.optional(),
});
export type PreviewConfig = z.infer<typeof previewConfigSchema>;

/**
 * `.agent/phaseboard.yaml`: what the project asks of every run. `workspace.setup` runs once
 * in a run's new worktree before its first step and `workspace.cleanup` before the
 * worktree is removed; `budget` caps what all the project's runs spend together.
 */
export const projectConfigSchema = z.strictObject({
  workspace: z
    .strictObject({
      setup: workspaceCommandSchema.optional(),
      cleanup: workspaceCommandSchema.optional(),
      /** `"30s" | "10m" | "2h"` or milliseconds (default 10m). */
      setup_timeout: durationSchema.optional(),
    })
    .optional(),
  budget: budgetSchema.optional(),
  preview: previewConfigSchema.optional(),
  /** Webhooks told when a run waits, fails, is paused by a budget, or completes. */
  notify: z
    .array(notifyTargetSchema, { error: "expected a list of { url, events, format }" })
    .optional(),
});
export type ProjectConfig = z.infer<typeof projectConfigSchema>;

/** Why `.agent/phaseboard.yaml` was refused, and where. */
export const projectConfigErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  file: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
export type ProjectConfigError = z.infer<typeof projectConfigErrorSchema>;

/** A repository on disk whose `.agent/workflows/` Phaseboard manages. */
export const projectSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** Absolute path of the repository root (the folder holding `.agent/`). */
  path: z.string(),
  /**
   * Why runs of this project work in its folder instead of a git worktree each (not a
   * git repository, or no commits yet); null when every run gets its own worktree.
   */
  runs_in_place: z.string().nullable().optional(),
  /** `.agent/phaseboard.yaml` as read (null when there is none or it is refused). */
  config: projectConfigSchema.nullable().optional(),
  /** Why `.agent/phaseboard.yaml` was refused; its runs then use no setup and no budget. */
  config_error: projectConfigErrorSchema.nullable().optional(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type Project = z.infer<typeof projectSchema>;

/** `POST /api/projects`. The server also checks that `path` is an existing directory. */
export const createProjectBodySchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200, "is too long"),
  path: z.string().trim().min(1, "must not be empty"),
});
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

export const projectResponseSchema = dataEnvelope(projectSchema);
export const projectListResponseSchema = dataEnvelope(z.array(projectSchema));

/** `POST /api/projects/:id/budget-resume`: the runs a budget had paused that went on. */
export const budgetResumeResponseSchema = dataEnvelope(
  z.object({ project_id: idSchema, resumed: z.array(idSchema) }),
);
