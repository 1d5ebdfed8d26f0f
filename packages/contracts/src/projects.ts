import { z } from "zod";
import { idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

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
