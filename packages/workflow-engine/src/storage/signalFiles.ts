import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./writeFileAtomic.js";

/** The signals recorded for `name`, oldest first. */
export function signalFiles(dir: string, name: string): string[] {
  const folder = join(dir, encodeURIComponent(name));
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(folder, f));
}

let signalCounter = 0;

/** Appends a signal durably; the n-th wait for `name` consumes the n-th signal. */
export function recordSignal(dir: string, name: string, payload: unknown): void {
  const folder = join(dir, encodeURIComponent(name));
  mkdirSync(folder, { recursive: true });
  signalCounter += 1;
  const file = `${String(Date.now()).padStart(15, "0")}-${process.pid}-${String(signalCounter).padStart(6, "0")}.json`;
  writeFileAtomic(
    join(folder, file),
    JSON.stringify({ name, payload, at: new Date().toISOString() }),
  );
}
