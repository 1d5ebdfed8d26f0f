import type { DbClient } from "@phaseboard/db";
import type { EventHub } from "../../events/EventHub.js";

export type CommentType = "user" | "system" | "agent";

export interface NewComment {
  run: { id: string; project_id: string };
  /** The step row's id, when the comment belongs to a step's thread. */
  stepId?: string | null | undefined;
  text: string;
  type: CommentType;
  createdBy?: string | null | undefined;
}

/**
 * The one way a comment is added: the row is written, then `workflow.comment.created` is
 * published, so the board and the CLI see every comment whoever wrote it (a person through
 * the API, an agent through MCP, the engine's `ctx.comment`, review follow-ups, worktree
 * hooks, merges and pull requests). Callers check what they must first (the run exists,
 * the step belongs to it); this writes and tells.
 *
 * @example
 * await postComment(db, hub, { run, text: "Merged into main", type: "system" });
 */
export async function postComment(db: DbClient, hub: EventHub, comment: NewComment) {
  const saved = await db.workflowComment.create({
    data: {
      workflow_run_id: comment.run.id,
      workflow_run_step_id: comment.stepId ?? null,
      text: comment.text,
      comment_type: comment.type,
      created_by: comment.createdBy ?? null,
    },
    include: { creator: { select: { id: true, username: true, display_name: true } } },
  });
  hub.publish({
    type: "workflow.comment.created",
    data: {
      execution_id: comment.run.id,
      project_id: comment.run.project_id,
      comment_id: saved.id,
      step_id: saved.workflow_run_step_id,
      comment_type: comment.type,
    },
  });
  return saved;
}
