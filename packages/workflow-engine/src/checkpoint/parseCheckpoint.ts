import type { Checkpoint } from "./Checkpoint.js";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A checkpoint read from disk, checked field by field, so a file of the wrong shape is
 * refused with the field that is wrong instead of failing later with a TypeError in the
 * middle of a run. Seed 004's checkpoint (only its first six fields) gets the defaults of
 * the fields added since, so runs written by the old layout still resume.
 */
export function parseCheckpoint(value: unknown): Checkpoint {
  if (!isRecord(value)) throw new Error("not a checkpoint object");
  const problem = (field: string, expected: string) =>
    new Error(`checkpoint field "${field}" must be ${expected}`);
  if (!isRecord(value.step_results)) throw problem("step_results", "an object");
  if (!Array.isArray(value.completed_step_ids)) throw problem("completed_step_ids", "an array");
  if (value.completed_step_ids.some((id) => typeof id !== "string")) {
    throw problem("completed_step_ids", "an array of strings");
  }
  for (const [key, result] of Object.entries(value.step_results)) {
    if (!isRecord(result) || typeof result.status !== "string") {
      throw problem(`step_results.${key}`, "a step result with a status");
    }
  }
  if (value.step_meta !== undefined && !isRecord(value.step_meta)) {
    throw problem("step_meta", "an object");
  }
  if (value.state !== undefined && !isRecord(value.state)) throw problem("state", "an object");
  if (value.pending !== undefined && !isRecord(value.pending)) {
    throw problem("pending", "an object");
  }
  const pending = (value.pending ?? {}) as Record<string, unknown>;
  for (const field of ["timers", "children", "agent_sessions", "child_workdirs"]) {
    if (pending[field] !== undefined && !isRecord(pending[field])) {
      throw problem(`pending.${field}`, "an object");
    }
  }
  if (value.signals_taken !== undefined && !isRecord(value.signals_taken)) {
    throw problem("signals_taken", "an object");
  }
  const checkpoint = value as unknown as Checkpoint;
  return {
    ...checkpoint,
    execution_id: typeof value.execution_id === "string" ? value.execution_id : "",
    timestamp: typeof value.timestamp === "string" ? value.timestamp : new Date(0).toISOString(),
    current_phase: typeof value.current_phase === "string" ? value.current_phase : "",
    current_step_index:
      typeof value.current_step_index === "number"
        ? value.current_step_index
        : value.completed_step_ids.length,
    step_meta: checkpoint.step_meta ?? {},
    status: checkpoint.status ?? "running",
    state: checkpoint.state ?? {},
    comment_count: typeof value.comment_count === "number" ? value.comment_count : 0,
    pending: {
      ...(pending as Partial<Checkpoint["pending"]>),
      timers: (pending.timers as Record<string, string> | undefined) ?? {},
      children: (pending.children as Record<string, string> | undefined) ?? {},
      agent_sessions: (pending.agent_sessions as Record<string, string> | undefined) ?? {},
    },
  };
}
