import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { NonRetriableStepError } from "../errors/NonRetriableStepError.js";

/**
 * A step's working directory: `cwd` resolved against the run's workspace, which it may not
 * leave. An absolute path, `..` or a symlink that ends outside the workspace (`/etc`,
 * `../../..`, a link a run added to `/`) fails the step at once, before anything starts.
 */
export function resolveStepCwd(cwd: string | undefined, workdir: string): string {
  if (cwd === undefined || cwd === "") return workdir;
  const target = resolve(workdir, cwd);
  const inside = (root: string, path: string) => {
    const rel = relative(root, path);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  };
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    real = target; // does not exist yet: spawning reports it; the lexical check still holds
  }
  let root: string;
  try {
    root = realpathSync(workdir);
  } catch {
    root = workdir;
  }
  if (!inside(workdir, target) || !inside(root, real)) {
    throw new NonRetriableStepError(
      `cwd "${cwd}" is outside the run's workspace (${workdir}); a step's cwd must be a folder inside it, such as "packages/web"`,
    );
  }
  return target;
}
