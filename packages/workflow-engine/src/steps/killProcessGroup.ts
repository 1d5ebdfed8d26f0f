import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

/**
 * True while a process of the group still runs. Zombies do not count: a member killed
 * after its parent died is reparented to init, and an init that reaps slowly (or not at
 * all, in some containers) would otherwise keep the group "alive" through every grace.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // fields after "(comm)": state ppid pgrp …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
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
    if (!processGroupAlive(pgid)) return;
    signalGroup(pgid, signal);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!processGroupAlive(pgid)) return;
      await delay(25);
    }
  }
}
