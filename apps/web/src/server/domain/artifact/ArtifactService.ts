import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join, posix, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { type FileType, uploadArtifactFieldsSchema } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import { runStoreFor } from "../workflow/runStoreFor.js";
import { inferFileType } from "./inferFileType.js";
import { sniffMimeType } from "./sniffMimeType.js";
import { safeSegment, storedArtifactName } from "./storedArtifactName.js";

/** A file arriving as a stream: a multipart part, or a file an agent names over MCP. */
export interface IncomingFile {
  filename: string;
  /** `truncated` is set by the multipart parser when the size limit cut the stream. */
  file: NodeJS.ReadableStream & { truncated?: boolean };
}

/** Artifacts: files stored under `executions/{runId}/artifacts/{stepKey}/`, rows in the DB. */
export class ArtifactService {
  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
  ) {}

  /**
   * Streams the upload into a hidden temporary file beside its final place, then renames
   * it: a rejected or interrupted upload leaves neither a file nor a row.
   */
  async upload(runId: string, fields: Record<string, unknown>, file: IncomingFile) {
    const parsed = uploadArtifactFieldsSchema.parse(fields);
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      include: { project: true },
    });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    const step = await this.db.workflowRunStep.findUnique({ where: { id: parsed.step_id } });
    if (!step) throw new HttpError("NOT_FOUND", `No step ${parsed.step_id}`);
    if (step.workflow_run_id !== runId) {
      throw new HttpError("VALIDATION_FAILED", `step_id: step ${step.id} belongs to another run`);
    }
    const folder = join(
      runStoreFor(run.project.path).artifactsDir(safeSegment(run.id)),
      safeSegment(step.step_id),
    );
    await mkdir(folder, { recursive: true });
    const storedName = storedArtifactName(file.filename);
    const finalPath = resolve(folder, storedName);
    // Belt and braces: whatever the name became, it must stay inside the folder.
    if (!finalPath.startsWith(resolve(folder) + sep)) {
      throw new HttpError("VALIDATION_FAILED", "file: the file name is not allowed");
    }
    const partPath = join(folder, `.${storedName}.part`);
    try {
      await pipeline(file.file, createWriteStream(partPath));
      if (file.file.truncated) throw new HttpError("PAYLOAD_TOO_LARGE");
      const { size } = await stat(partPath);
      const mimeType = await sniffMimeType(partPath);
      const name = parsed.name ?? (file.filename || storedName);
      const fileType: FileType = parsed.file_type ?? inferFileType(mimeType, name);
      await rename(partPath, finalPath);
      try {
        const artifact = await this.db.workflowArtifact.create({
          data: {
            workflow_run_step_id: step.id,
            name,
            file_path: relative(run.project.path, finalPath).split(sep).join(posix.sep),
            file_type: fileType,
            mime_type: mimeType,
            size_bytes: size,
          },
        });
        this.hub.publish({
          type: "workflow.artifact.created",
          data: {
            execution_id: run.id,
            project_id: run.project_id,
            artifact_id: artifact.id,
            step_id: step.id,
          },
        });
        return artifact;
      } catch (error) {
        await rm(finalPath, { force: true });
        throw error;
      }
    } catch (error) {
      await rm(partPath, { force: true });
      throw error;
    }
  }

  async get(id: string) {
    const artifact = await this.db.workflowArtifact.findUnique({
      where: { id },
      include: { step: { include: { run: { include: { project: true } } } } },
    });
    if (!artifact) throw new HttpError("NOT_FOUND", `No artifact ${id}`);
    return artifact;
  }

  /** The file to stream, with the headers a browser needs to show or save it. */
  async open(id: string) {
    const artifact = await this.get(id);
    const absolute = resolve(artifact.step.run.project.path, artifact.file_path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new HttpError("NOT_FOUND", `The file of artifact ${id} is gone from disk`);
    // Images, videos and PDFs render inline (board thumbnails); everything else downloads.
    const inline =
      /^(image|video)\//.test(artifact.mime_type) || artifact.mime_type === "application/pdf";
    const disposition = `${inline ? "inline" : "attachment"}; filename="${artifact.name.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(artifact.name)}`;
    return {
      stream: createReadStream(absolute),
      headers: {
        "content-type": artifact.mime_type,
        "content-length": String(info.size),
        "content-disposition": disposition,
        "x-content-type-options": "nosniff",
        "cache-control": "private, max-age=31536000, immutable",
      },
    };
  }

  async attach(id: string, commentId: string) {
    const artifact = await this.get(id);
    const comment = await this.db.workflowComment.findUnique({ where: { id: commentId } });
    if (!comment) throw new HttpError("NOT_FOUND", `No comment ${commentId}`);
    if (comment.workflow_run_id !== artifact.step.workflow_run_id) {
      throw new HttpError(
        "VALIDATION_FAILED",
        `comment_id: comment ${commentId} belongs to another run than artifact ${id}`,
      );
    }
    return this.setComment(artifact, commentId);
  }

  async detach(id: string) {
    return this.setComment(await this.get(id), null);
  }

  private async setComment(
    artifact: Awaited<ReturnType<ArtifactService["get"]>>,
    commentId: string | null,
  ) {
    const updated = await this.db.workflowArtifact.update({
      where: { id: artifact.id },
      data: { workflow_comment_id: commentId },
    });
    this.hub.publish({
      type: "workflow.artifact.attached",
      data: {
        execution_id: artifact.step.workflow_run_id,
        project_id: artifact.step.run.project_id,
        artifact_id: artifact.id,
        comment_id: commentId,
      },
    });
    return updated;
  }
}
