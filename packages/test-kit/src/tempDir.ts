import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/**
 * A fresh folder under the OS temp dir, removed when the current test finishes.
 *
 * @example
 * const dir = tempDir("db");
 */
export function tempDir(label = "test"): string {
  const dir = mkdtempSync(join(tmpdir(), `phaseboard-${label}-`));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
