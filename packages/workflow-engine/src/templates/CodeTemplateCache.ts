import { statSync } from "node:fs";
import type { LoadedTemplate } from "../types/definition.js";

interface Entry {
  sourceHash: string;
  /** Every source file of the bundle with the mtime and size it had when bundled. */
  inputs: Array<{ path: string; mtimeMs: number; size: number }>;
  loaded: LoadedTemplate;
}

/**
 * Remembers loaded code templates so listing templates does not run esbuild and import a
 * bundle each time. An entry is reused only while the template's bytes (by hash) and every
 * file it imports (by mtime and size) are unchanged: an edit is picked up on the next load.
 */
export class CodeTemplateCache {
  private readonly entries = new Map<string, Entry>();

  get(file: string, sourceHash: string): LoadedTemplate | undefined {
    const entry = this.entries.get(file);
    if (!entry || entry.sourceHash !== sourceHash) return undefined;
    for (const input of entry.inputs) {
      const now = statOrUndefined(input.path);
      if (now?.mtimeMs !== input.mtimeMs || now.size !== input.size) return undefined;
    }
    return entry.loaded;
  }

  set(file: string, sourceHash: string, inputs: string[], loaded: LoadedTemplate): void {
    const stamped: Entry["inputs"] = [];
    for (const path of inputs) {
      const stat = statOrUndefined(path);
      if (!stat) return;
      stamped.push({ path, mtimeMs: stat.mtimeMs, size: stat.size });
    }
    this.entries.set(file, { sourceHash, inputs: stamped, loaded });
  }
}

function statOrUndefined(path: string): { mtimeMs: number; size: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
