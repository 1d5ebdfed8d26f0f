import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";

/** Bytes one read returns when the caller does not ask for fewer (1 MiB). */
export const DEFAULT_LOG_LIMIT = 1024 * 1024;
/** Most bytes one read may return (8 MiB): a 300 MB log is read in pieces, never whole. */
export const MAX_LOG_LIMIT = 8 * 1024 * 1024;

export interface LogRange {
  /** The text read: whole UTF-8 characters; for line files, whole lines only. */
  content: string;
  /** Byte offset `content` starts at. */
  offset: number;
  /** Byte offset to continue from (`?offset=`). */
  nextOffset: number;
  /** The file's size in bytes when it was read (0 when it does not exist yet). */
  size: number;
  /** Lines in `content` (line files). */
  lines: number;
}

/**
 * Reads at most `limit` bytes of a log file from `offset` (or from the start of line
 * `afterLine`, found by streaming the file once), with memory bounded by `limit` however
 * big the file is. With `lines`, only complete lines are returned — a line being written
 * has no newline yet — unless one line alone is longer than `limit`.
 */
export async function readLogRange(
  file: string,
  options: { offset?: number; afterLine?: number; limit?: number; lines?: boolean },
): Promise<LogRange> {
  const limit = Math.min(options.limit ?? DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return { content: "", offset: 0, nextOffset: 0, size: 0, lines: 0 };
    }
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let offset = Math.min(options.offset ?? 0, size);
    if (options.afterLine !== undefined && options.afterLine > 0 && options.offset === undefined) {
      offset = await offsetOfLine(file, options.afterLine, size);
    }
    // Three bytes more than the range, to see whether its end splits a UTF-8 character.
    const buffer = Buffer.alloc(Math.max(0, Math.min(limit + 3, size - offset)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    let end = Math.min(bytesRead, limit);
    if (options.lines && end > 0) {
      const lastNewline = buffer.lastIndexOf(0x0a, end - 1);
      // A single line longer than the whole range is returned cut, so a reader moves on.
      if (lastNewline !== -1) end = lastNewline + 1;
      else if (bytesRead <= limit) end = 0;
    }
    // Never cut a UTF-8 character in two: back up over continuation bytes.
    if (end < bytesRead) {
      while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
    }
    const content = buffer.subarray(0, end).toString("utf8");
    let lines = 0;
    for (let i = buffer.indexOf(0x0a); i !== -1 && i < end; i = buffer.indexOf(0x0a, i + 1)) {
      lines++;
    }
    return { content, offset, nextOffset: offset + end, size, lines };
  } finally {
    await handle.close();
  }
}

/** The byte offset where line `line` (0-based) starts, or where the complete lines end. */
async function offsetOfLine(file: string, line: number, size: number): Promise<number> {
  let seen = 0;
  let position = 0;
  let complete = 0;
  for await (const chunk of createReadStream(file, {
    end: Math.max(0, size - 1),
  }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      seen++;
      complete = position + i + 1;
      if (seen === line) return complete;
    }
    position += chunk.length;
  }
  return complete;
}
