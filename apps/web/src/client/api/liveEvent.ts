import type { WorkflowEvent } from "@phaseboard/contracts";

/** The server's `workflow.*` WebSocket events (see @phaseboard/contracts, events.ts). */
export type LiveEvent = WorkflowEvent;

/**
 * The part every event shares, which is all the board needs for one it does not know.
 * `execution_id` is absent only from project-wide events (`workflow.definitions.changed`).
 */
export interface UnknownLiveEvent {
  type: string;
  data: { project_id: string; execution_id: string };
}

/** A project-wide event: the project's templates were re-read (added, edited, broken). */
export const DEFINITIONS_CHANGED = "workflow.definitions.changed";

/** Reads one WebSocket message; anything that is not a `workflow.*` event is ignored. */
export function parseLiveEvent(raw: string): UnknownLiveEvent | undefined {
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
  const { project_id: projectId, execution_id: runId } = data as Record<string, unknown>;
  if (typeof projectId !== "string") return undefined;
  if (typeof runId !== "string" && type !== DEFINITIONS_CHANGED) return undefined;
  return { type, data: data as UnknownLiveEvent["data"] };
}
