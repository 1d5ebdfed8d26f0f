import { FileRunStore } from "../store/FileRunStore.js";
import type { RunStore } from "../store/RunStore.js";
import { DEFAULT_STALE_AFTER_MS } from "./RunLock.js";

/**
 * Runs whose newest checkpoint says `running` but whose lease has expired (no lock, a
 * dead holder, or a stale heartbeat): the ones to resume after a crash. The server uses
 * its DB lease columns; this is the store's view of the same thing.
 */
export function findExpiredRuns(
  projectPath: string,
  options: { staleAfterMs?: number; store?: RunStore } = {},
): string[] {
  const store = options.store ?? new FileRunStore(projectPath);
  const expired: string[] = [];
  for (const runId of store.listRuns()) {
    let status: string | undefined;
    try {
      status = store.loadCheckpoint(runId)?.checkpoint.status;
    } catch {
      continue;
    }
    if (status !== "running") continue;
    if (store.leaseExpired(runId, options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)) {
      expired.push(runId);
    }
  }
  return expired.sort();
}
