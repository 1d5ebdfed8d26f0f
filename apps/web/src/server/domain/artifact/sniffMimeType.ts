import { open } from "node:fs/promises";
import { fileTypeFromFile } from "file-type";

/**
 * The MIME type read from the file's bytes, never from what the client claimed: a PNG
 * renamed `.txt` is still served as a PNG, and an HTML file named `.png` is not served as
 * an image. Text without a magic number is `text/plain`; anything else is opaque bytes.
 */
export async function sniffMimeType(path: string): Promise<string> {
  const detected = await fileTypeFromFile(path);
  if (detected) return detected.mime;
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.includes(0)) return "application/octet-stream";
    return isUtf8(head) ? "text/plain" : "application/octet-stream";
  } finally {
    await handle.close();
  }
}

function isUtf8(bytes: Buffer): boolean {
  try {
    // A multibyte character cut at the 8 KiB boundary is still text.
    new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(0, Math.max(0, bytes.length - 3)),
    );
    return true;
  } catch {
    return false;
  }
}
