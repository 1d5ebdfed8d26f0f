import type { StepResult } from "../types/step.js";
import type { Checkpoint, StepMeta } from "./Checkpoint.js";

/**
 * One line of a run's checkpoint journal: what changed since the previous write. Steps
 * are only ever added between two snapshots (a rewind or forgetting failed steps starts a
 * new journal with a snapshot), so they travel as the added keys; every other top-level
 * field travels whole when its value changed.
 */
export interface JournalRecord {
  /** The write's number; consecutive across a run's journal files and snapshots. */
  seq: number;
  /** Steps recorded since the previous write, in call order: key, result, meta. */
  steps?: [string, StepResult, StepMeta | undefined][];
  /** Top-level fields whose value changed, whole. */
  set?: Record<string, unknown>;
  /** Top-level fields that are gone. */
  unset?: string[];
}

/** Fields that grow by key through `steps`; everything else is compared whole. */
const STEP_FIELDS = new Set(["step_results", "step_meta", "completed_step_ids"]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The last state written, kept as little as is needed to describe the next write as a
 * {@link JournalRecord}: how many steps it had (and the last one's key, to notice a history
 * that was cut rather than extended) and the JSON of every other field. O(changed) per
 * write, never the whole checkpoint.
 */
export class CheckpointDiff {
  private steps = 0;
  private lastKey: string | undefined;
  private fields = new Map<string, string>();

  /** Takes `checkpoint` as the state written (a snapshot). */
  reset(checkpoint: Checkpoint): void {
    this.steps = checkpoint.completed_step_ids.length;
    this.lastKey = checkpoint.completed_step_ids[this.steps - 1];
    this.fields = new Map();
    for (const [field, value] of Object.entries(checkpoint)) {
      if (STEP_FIELDS.has(field) || value === undefined) continue;
      this.fields.set(field, JSON.stringify(value));
    }
  }

  /**
   * The journal line (with its newline) taking the last state to `checkpoint`, and takes
   * `checkpoint` as the state written; undefined when steps were removed or replaced, which
   * only a snapshot can record (the state is then left as it was).
   */
  next(seq: number, checkpoint: Checkpoint): string | undefined {
    const ids = checkpoint.completed_step_ids;
    if (ids.length < this.steps || ids[this.steps - 1] !== this.lastKey) return undefined;
    const steps: string[] = [];
    for (let i = this.steps; i < ids.length; i++) {
      const key = ids[i] as string;
      const result = checkpoint.step_results[key];
      if (!result) return undefined;
      steps.push(JSON.stringify([key, result, checkpoint.step_meta[key]]));
    }
    const set: string[] = [];
    const seen = new Set<string>();
    const fields = new Map(this.fields);
    for (const [field, value] of Object.entries(checkpoint)) {
      if (STEP_FIELDS.has(field) || value === undefined) continue;
      seen.add(field);
      const json = JSON.stringify(value);
      if (fields.get(field) === json) continue;
      fields.set(field, json);
      set.push(`${JSON.stringify(field)}:${json}`);
    }
    const unset: string[] = [];
    for (const field of fields.keys()) {
      if (seen.has(field)) continue;
      fields.delete(field);
      unset.push(JSON.stringify(field));
    }
    this.steps = ids.length;
    this.lastKey = ids[ids.length - 1];
    this.fields = fields;
    let line = `{"seq":${seq}`;
    if (steps.length > 0) line += `,"steps":[${steps.join(",")}]`;
    if (set.length > 0) line += `,"set":{${set.join(",")}}`;
    if (unset.length > 0) line += `,"unset":[${unset.join(",")}]`;
    return `${line}}\n`;
  }
}

/** A journal line read back, checked; undefined when it is not a record (torn or foreign). */
export function parseJournalRecord(line: string): JournalRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !Number.isSafeInteger(value.seq)) return undefined;
  if (value.steps !== undefined) {
    if (!Array.isArray(value.steps)) return undefined;
    for (const step of value.steps) {
      if (!Array.isArray(step) || typeof step[0] !== "string") return undefined;
      if (!isRecord(step[1]) || typeof step[1].status !== "string") return undefined;
    }
  }
  if (value.set !== undefined && !isRecord(value.set)) return undefined;
  if (value.unset !== undefined) {
    if (!Array.isArray(value.unset) || value.unset.some((f) => typeof f !== "string")) {
      return undefined;
    }
  }
  return value as unknown as JournalRecord;
}

/** Applies a record to the state it follows, in place. */
export function applyJournalRecord(checkpoint: Checkpoint, record: JournalRecord): void {
  for (const [key, result, meta] of record.steps ?? []) {
    checkpoint.step_results[key] = result;
    if (meta) checkpoint.step_meta[key] = meta;
    checkpoint.completed_step_ids.push(key);
  }
  const fields = checkpoint as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(record.set ?? {})) {
    if (!STEP_FIELDS.has(field)) fields[field] = value;
  }
  for (const field of record.unset ?? []) {
    if (!STEP_FIELDS.has(field)) delete fields[field];
  }
}
