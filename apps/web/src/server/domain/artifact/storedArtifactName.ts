import { randomBytes } from "node:crypto";

/**
 * A file name that is safe to join onto the artifacts folder: path separators of either
 * platform and `..` are gone, only portable characters remain, and a random prefix keeps
 * two uploads of `screenshot.png` apart. `../../etc/passwd` becomes `k3v9…-etc_passwd`.
 */
export function storedArtifactName(original: string): string {
  const cleaned = original
    .replace(/[\\/]+/g, "_")
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/\.{2,}/g, ".")
    .replace(/^[._]+/, "")
    .slice(-120);
  return `${randomBytes(6).toString("hex")}-${cleaned || "file"}`;
}

/** A step key (`build#2`) as a folder name. */
export function safeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9._#-]/g, "_").replace(/^\.+/, "_") || "_";
}
