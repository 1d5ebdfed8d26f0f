import { execFile } from "node:child_process";
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Where runs keep their logs, checkpoints and artifacts, relative to the project. */
export const RUN_DATA_DIR = ".agent/workflows/executions/";

/**
 * Adds `.agent/workflows/executions/` to the project's `.gitignore` unless git already
 * ignores it: run data holds step logs, outputs and artifacts (which may quote secrets
 * and are large), and must not end up in a commit through `git add -A`. Does nothing
 * outside a git repository. Returns whether it added the entry.
 *
 * @example
 * await ignoreRunData("/home/me/repo"); // true the first time, false after
 */
export async function ignoreRunData(projectPath: string): Promise<boolean> {
  const ignored = await gitIgnores(projectPath, `${RUN_DATA_DIR}run`);
  if (ignored !== false) return false;
  const file = join(projectPath, ".gitignore");
  const existing = await readFile(file, "utf8").catch(() => "");
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  await appendFile(
    file,
    `${separator}# Phaseboard's run data (logs, checkpoints, artifacts): local, never committed\n${RUN_DATA_DIR}\n`,
  );
  return true;
}

const checked = new Map<string, Promise<boolean>>();

/** {@link ignoreRunData} once per project per process (the first run of each). */
export function ignoreRunDataOnce(projectPath: string): Promise<boolean> {
  let pending = checked.get(projectPath);
  if (!pending) {
    pending = ignoreRunData(projectPath).catch(() => false);
    checked.set(projectPath, pending);
  }
  return pending;
}

/** true/false as git decides; undefined outside a repository or without git. */
function gitIgnores(cwd: string, path: string): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    execFile("git", ["check-ignore", "--quiet", "--no-index", "--", path], { cwd }, (error) => {
      if (!error) return resolve(true);
      resolve((error as { code?: unknown }).code === 1 ? false : undefined);
    });
  });
}
