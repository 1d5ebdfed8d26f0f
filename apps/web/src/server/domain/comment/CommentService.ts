import type { CreateCommentBody } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import { postComment } from "./postComment.js";

/** Comments on a run or on one of its steps, by people, Phaseboard or agents. */
export class CommentService {
  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
  ) {}

  /**
   * Adds a comment. The API accepts only `user` comments; the server's own callers (an
   * agent step's MCP access) may add `agent` and `system` ones.
   */
  async create(
    runId: string,
    body: Omit<CreateCommentBody, "comment_type"> & {
      comment_type?: "user" | "system" | "agent" | undefined;
      created_by?: string | null;
    },
  ) {
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      select: { id: true, project_id: true },
    });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    if (body.step_id) await this.requireStepOfRun(runId, body.step_id);
    return postComment(this.db, this.hub, {
      run,
      stepId: body.step_id,
      text: body.text,
      type: body.comment_type ?? "user",
      createdBy: body.created_by,
    });
  }

  async list(runId: string, stepId?: string) {
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      select: { id: true },
    });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    if (stepId) await this.requireStepOfRun(runId, stepId);
    return this.db.workflowComment.findMany({
      where: { workflow_run_id: runId, ...(stepId && { workflow_run_step_id: stepId }) },
      orderBy: { created_at: "asc" },
      include: {
        creator: { select: { id: true, username: true, display_name: true } },
        artifacts: true,
      },
    });
  }

  /** A step id from another run is refused, never silently attached elsewhere. */
  private async requireStepOfRun(runId: string, stepId: string) {
    const step = await this.db.workflowRunStep.findUnique({
      where: { id: stepId },
      select: { workflow_run_id: true },
    });
    if (!step) throw new HttpError("NOT_FOUND", `No step ${stepId}`);
    if (step.workflow_run_id !== runId) {
      throw new HttpError("VALIDATION_FAILED", `step_id: step ${stepId} belongs to another run`);
    }
  }
}
