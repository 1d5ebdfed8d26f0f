import { existsSync, readdirSync } from "node:fs";
import { CheckpointStore } from "../checkpoint/CheckpointStore.js";
import { executionsDir, runPaths } from "../storage/runPaths.js";
import { DEFAULT_STALE_AFTER_MS, isLockStale, readLockOwner } from "./RunLock.js";

/**
 * Runs under `projectPath` whose newest checkpoint says `running` but whose lease has
 * expired (no lock, a dead holder, or a stale heartbeat): the ones to resume after a crash.
 * The server uses its DB lease columns; this is the filesystem's view of the same thing.
 */
export function findExpiredRuns(
  projectPath: string,
  options: { staleAfterMs?: number } = {},
): string[] {
  const dir = executionsDir(projectPath);
  if (!existsSync(dir)) return [];
  const expired: string[] = [];
  for (const runId of readdirSync(dir)) {
    const paths = runPaths(projectPath, runId);
    let status: string | undefined;
    try {
      status = new CheckpointStore(paths.checkpoints).load()?.checkpoint.status;
    } catch {
      continue;
    }
    if (status !== "running") continue;
    if (isLockStale(readLockOwner(paths.lock), options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)) {
      expired.push(runId);
    }
  }
  return expired.sort();
}
