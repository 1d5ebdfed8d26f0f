import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";

let tmpCounter = 0;

/**
 * Writes `data` to `path` so that a crash at any instant leaves either the old file or
 * the complete new one: write a temp file, fsync it, rename it over the target, fsync
 * the directory (the rename is only durable once the directory entry is on disk).
 * Synchronous on purpose: a checkpoint write is a handful of syscalls, and the async
 * versions cost more in thread-pool hops than the fsync itself on small files.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  tmpCounter += 1;
  const tmp = `${path}.${process.pid}.${tmpCounter}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file is garbage either way
    }
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDirectory(dirname(path));
}

/** Makes renames and creations inside `dir` durable. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link writeFileAtomic} on the thread pool: the same temp + fsync + rename + directory
 * fsync, without blocking the event loop for the fsync. The executor uses it for
 * checkpoints, so a server executing many runs keeps answering HTTP and WebSocket while
 * their fsyncs proceed in parallel (and the filesystem can batch their journal commits).
 */
export async function writeFileAtomicAsync(path: string, data: string | Uint8Array): Promise<void> {
  tmpCounter += 1;
  const tmp = `${path}.${process.pid}.${tmpCounter}.tmp`;
  const file = await open(tmp, "w", 0o644);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await file.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await fsyncDirectoryAsync(dirname(path));
}

/** {@link fsyncDirectory} on the thread pool. */
export async function fsyncDirectoryAsync(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
