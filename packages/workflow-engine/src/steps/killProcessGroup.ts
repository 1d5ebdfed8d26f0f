import { setTimeout as delay } from "node:timers/promises";

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already empty
  }
}

/**
 * Stops a whole process group politely, then firmly: SIGINT (lets a CLI save its session),
 * SIGTERM, SIGKILL, waiting up to `graceMs` after each for every member to exit.
 * Resolves once the group is empty, so nothing is left orphaned.
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
    if (!groupAlive(pgid)) return;
    signalGroup(pgid, signal);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!groupAlive(pgid)) return;
      await delay(25);
    }
  }
}
