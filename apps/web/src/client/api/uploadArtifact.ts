import { apiFetch } from "./apiFetch";
import type { Artifact } from "./types";

/** The server's limit; checked here too so a large file is refused before it is sent. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export class UploadTooLargeError extends Error {
  readonly code = "UPLOAD_TOO_LARGE";
  constructor(file: { name: string; size: number }) {
    super(
      `“${file.name}” is ${(file.size / 1024 / 1024).toFixed(1)} MB; attachments are limited to 100 MB.`,
    );
    this.name = "UploadTooLargeError";
  }
}

export function artifactFileType(mime: string): string {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("text/") || mime === "application/json") return "code";
  if (mime === "application/pdf") return "document";
  return "other";
}

/**
 * Uploads a file as an artifact of a step (multipart: fields first, then the file).
 * Throws UploadTooLargeError without sending anything when the file is over 100 MB.
 */
export async function uploadArtifact(runId: string, stepId: string, file: File): Promise<Artifact> {
  if (file.size > MAX_UPLOAD_BYTES) throw new UploadTooLargeError(file);
  const form = new FormData();
  form.append("step_id", stepId);
  form.append("name", file.name);
  form.append("file_type", artifactFileType(file.type));
  form.append("file", file, file.name);
  return apiFetch<Artifact>(`/api/workflow-executions/${encodeURIComponent(runId)}/artifacts`, {
    method: "POST",
    body: form,
  });
}

/** A pasted screenshot arrives as "image.png"; give it a name a person can tell apart. */
export function namePastedFile(file: File, now = new Date()): File {
  if (file.name && file.name !== "image.png") return file;
  const stamp = now.toISOString().replace(/[:T]/g, "-").replace(/\..+$/, "");
  const extension = file.type.split("/")[1] ?? "png";
  return new File([file], `screenshot-${stamp}.${extension}`, { type: file.type });
}
