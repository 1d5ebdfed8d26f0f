/**
 * Shards per worker queue. Fixed: a job's shard is computed from its run id by the run's
 * invocation and by the worker, so changing it strands the jobs queued under the old count.
 */
export const STEP_JOB_SHARDS = 8;

/** FNV-1a of the run id: the same shard on every process, whatever the platform. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The key of the shard of `workerId`'s queue that holds the jobs of `runId`. */
export function shardOf(workerId: string, runId: string): string {
  return `${workerId}#${hash(runId) % STEP_JOB_SHARDS}`;
}

/** Every shard key of `workerId`'s queue. */
export function shardKeys(workerId: string): string[] {
  return Array.from({ length: STEP_JOB_SHARDS }, (_, n) => `${workerId}#${n}`);
}

/** The worker whose queue the shard `key` is part of. */
export function workerOfShard(key: string): string {
  return key.slice(0, key.lastIndexOf("#"));
}
