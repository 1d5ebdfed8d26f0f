import type { Artifact, Comment, Run, RunStatus, StepLogEvent, StepStatus } from "./types";

interface Base {
  project_id: string;
  execution_id: string;
}

/** The server's `workflow.*` WebSocket events the board reacts to. */
export type LiveEvent =
  | { type: "workflow.execution.created"; data: Base & { run?: Run } }
  | { type: "workflow.execution.updated"; data: Base & { run?: Partial<Run> } }
  | { type: "workflow.execution.deleted"; data: Base }
  | {
      type: "workflow.execution.status_changed";
      data: Base & { status: RunStatus; error_message?: string | null; at?: string };
    }
  | { type: "workflow.execution.phase_changed"; data: Base & { current_phase: string } }
  | {
      type: "workflow.execution.state_changed";
      data: Base & { state: Record<string, unknown> };
    }
  | {
      type: "workflow.step.started";
      data: Base & {
        step_id: string;
        step_key?: string;
        step_name?: string;
        phase?: string;
        type?: string;
        attempt?: number;
        started_at?: string;
      };
    }
  | {
      type: "workflow.step.completed";
      data: Base & {
        step_id: string;
        status: StepStatus;
        completed_at?: string;
        error_message?: string | null;
      };
    }
  | {
      type: "workflow.step.progress";
      data: Base & { step_id: string; output?: string; event?: StepLogEvent };
    }
  | {
      type: "workflow.comment.created";
      data: Base & { comment_id: string; step_id?: string | null; comment?: Comment };
    }
  | {
      type: "workflow.artifact.created";
      data: Base & { artifact_id: string; step_id?: string; artifact?: Artifact };
    }
  | {
      type: "workflow.artifact.attached";
      data: Base & { artifact_id: string; comment_id: string | null };
    };

export type LiveEventType = LiveEvent["type"];

/** Reads one WebSocket message; anything that is not a `workflow.*` event is ignored. */
export function parseLiveEvent(raw: string): { type: string; data: Base } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof message !== "object" || message === null) return undefined;
  const { type, data } = message as { type?: unknown; data?: unknown };
  if (typeof type !== "string" || !type.startsWith("workflow.")) return undefined;
  if (typeof data !== "object" || data === null) return undefined;
  return { type, data: data as Base };
}
