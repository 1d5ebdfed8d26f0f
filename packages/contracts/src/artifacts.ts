import { z } from "zod";
import { fileTypeSchema, idSchema, timestampSchema } from "./common.js";
import { dataEnvelope } from "./errors.js";

/** The largest upload the server accepts, in bytes (100 MB). */
export const MAX_ARTIFACT_BYTES = 100 * 1024 * 1024;

/** A file a step produced or a person uploaded. */
export const artifactSchema = z.object({
  id: idSchema,
  workflow_run_step_id: idSchema,
  workflow_comment_id: idSchema.nullable(),
  /** Display name (the uploaded file name unless one was given). */
  name: z.string(),
  /** Path relative to the project root, always inside `executions/{runId}/artifacts/{stepId}/`. */
  file_path: z.string(),
  file_type: fileTypeSchema,
  /** Sniffed from the content, not trusted from the client. */
  mime_type: z.string(),
  size_bytes: z.number().int().nonnegative(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type Artifact = z.infer<typeof artifactSchema>;

/**
 * The text fields of `POST /api/workflow-executions/:id/artifacts` (multipart/form-data).
 * The `file` part carries the bytes and must come after these fields.
 */
export const uploadArtifactFieldsSchema = z.object({
  /** The step's database id; it must belong to the run. */
  step_id: idSchema,
  name: z.string().trim().min(1).max(255).optional(),
  /** Inferred from the content when absent. */
  file_type: fileTypeSchema.optional(),
});
export type UploadArtifactFields = z.infer<typeof uploadArtifactFieldsSchema>;

/** `PATCH /api/artifacts/:id/attach`. */
export const attachArtifactBodySchema = z.object({ comment_id: idSchema });
export type AttachArtifactBody = z.infer<typeof attachArtifactBodySchema>;

export const artifactResponseSchema = dataEnvelope(artifactSchema);
export const artifactListResponseSchema = dataEnvelope(z.array(artifactSchema));
