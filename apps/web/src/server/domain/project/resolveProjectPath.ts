import { realpath, stat } from "node:fs/promises";
import { isAbsolute, normalize, sep } from "node:path";
import { HttpError } from "../../HttpError.js";

/** Kernel pseudo-filesystems: their folders are views of processes, never repositories. */
const PSEUDO_ROOTS = ["/proc", "/sys", "/dev"];

/**
 * The canonical folder a project registration names, or a VALIDATION_FAILED saying why
 * not. Relative paths are refused (they would resolve against the server's own folder);
 * the path is resolved through symlinks so one repository has one project; the
 * filesystem root and kernel pseudo-filesystems (`/proc/self/cwd` is the server's folder,
 * whatever that is at the time) are refused; a missing path or a file is refused.
 *
 * @example
 * await resolveProjectPath("/home/me/repo"); // "/home/me/repo"
 */
export async function resolveProjectPath(given: string): Promise<string> {
  if (!isAbsolute(given)) {
    throw new HttpError(
      "VALIDATION_FAILED",
      `path: ${given} is relative; give the repository's absolute path (a relative one would resolve against the server's folder)`,
    );
  }
  const normalised = normalize(given);
  if (isPseudoPath(normalised)) {
    throw new HttpError(
      "VALIDATION_FAILED",
      `path: ${normalised} is inside a kernel pseudo-filesystem, not a repository`,
    );
  }
  const real = await realpath(normalised).catch(() => undefined);
  if (real === undefined) {
    throw new HttpError("VALIDATION_FAILED", `path: ${normalised} does not exist`);
  }
  const info = await stat(real);
  if (!info.isDirectory()) {
    throw new HttpError("VALIDATION_FAILED", `path: ${normalised} is not a directory`);
  }
  if (real === sep || isPseudoPath(real)) {
    throw new HttpError(
      "VALIDATION_FAILED",
      `path: ${normalised} resolves to ${real}, which cannot be a project: name the repository's own folder`,
    );
  }
  return real;
}

function isPseudoPath(path: string): boolean {
  return PSEUDO_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));
}
