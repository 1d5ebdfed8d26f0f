import {
  closeSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { RunLockedError } from "../errors/RunLockedError.js";

/** Contents of `run.lock`. */
export interface LockOwner {
  pid: number;
  workerId: string;
  acquiredAt: string;
}

/** A lock is stale when its process is gone, or its heartbeat (mtime) is older than this. */
export const DEFAULT_STALE_AFTER_MS = 30_000;

/**
 * True when a process with this pid exists and is not a zombie (EPERM still means it
 * exists). A killed executor whose parent died first can linger as a zombie when the
 * container's init does not reap: it executes nothing, so its lock is stale.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // state is the field after the parenthesised command name
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

export function readLockOwner(path: string): (LockOwner & { heartbeatAt: Date }) | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
    return { ...owner, heartbeatAt: statSync(path).mtime };
  } catch {
    return undefined;
  }
}

export function isLockStale(
  owner: (LockOwner & { heartbeatAt: Date }) | undefined,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
): boolean {
  if (!owner) return true;
  if (!isProcessAlive(owner.pid)) return true;
  return Date.now() - owner.heartbeatAt.getTime() > staleAfterMs;
}

/**
 * The file-level guard that keeps two processes from executing one run: `run.lock` is
 * created with O_EXCL and holds pid + worker id; the holder touches it on every heartbeat.
 * A lock whose process is dead (kill -9) or whose heartbeat is older than `staleAfterMs`
 * (pid reuse) is taken over.
 */
export class RunLock {
  private held = false;

  constructor(
    readonly path: string,
    readonly workerId: string,
    readonly staleAfterMs = DEFAULT_STALE_AFTER_MS,
  ) {}

  acquire(): void {
    for (let tries = 0; tries < 3; tries++) {
      try {
        const fd = openSync(this.path, "wx", 0o644);
        const owner: LockOwner = {
          pid: process.pid,
          workerId: this.workerId,
          acquiredAt: new Date().toISOString(),
        };
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const owner = readLockOwner(this.path);
      if (!isLockStale(owner, this.staleAfterMs)) {
        throw new RunLockedError(
          `run is already executed by worker "${owner?.workerId}" (pid ${owner?.pid}); lock: ${this.path}`,
        );
      }
      try {
        unlinkSync(this.path);
      } catch {
        // someone else removed it first; retry the exclusive create
      }
    }
    throw new RunLockedError(`could not take the stale lock ${this.path}`);
  }

  /** Renews the lease on disk. */
  touch(): void {
    if (!this.held) return;
    const now = new Date();
    try {
      utimesSync(this.path, now, now);
    } catch {
      // a vanished lock is noticed by whoever takes it over; the heartbeat must not throw
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // already removed
    }
  }
}
