import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors/UsageError.js";

/**
 * The directory the command was started from. `pnpm phaseboard` runs the script inside
 * apps/cli, but keeps the caller's directory in INIT_CWD, which is the one that matters.
 * Only then: any other pnpm script that happens to spawn the command leaves a stale
 * INIT_CWD in the environment, and the real working directory is the right one.
 */
export function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromPnpmScript = env.npm_lifecycle_event === "phaseboard" && env.INIT_CWD?.trim();
  return resolve(fromPnpmScript || process.cwd());
}

/**
 * The project root: `--project DIR` when given, else the nearest directory holding
 * `.agent/` from where the command was started, walking up.
 *
 * @example
 * findProjectDir({ project: undefined }) // "/home/me/repo" when run in /home/me/repo/src
 */
export function findProjectDir(options: { project?: string | undefined }): string {
  if (options.project) {
    const dir = resolve(invocationDir(), options.project);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`--project ${options.project}: no such directory`, {
        code: "PROJECT_NOT_FOUND",
      });
    }
    return dir;
  }
  const start = invocationDir();
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, ".agent"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new UsageError(
        `no .agent/ directory in ${start} or above: run "phaseboard init" or pass --project DIR`,
        { code: "PROJECT_NOT_FOUND" },
      );
    }
    dir = parent;
  }
}

/** Where `phaseboard serve` runs, and whether that folder is inside a git repository. */
export interface ServeDir {
  dir: string;
  /** The repository's root when the folder is inside one. */
  gitRoot: string | undefined;
}

/**
 * The project `phaseboard serve` registers: `--project DIR` when given; else, inside a git
 * repository, the nearest folder holding `.agent/` up to the repository's root, or that
 * root; outside one, the nearest `.agent/` above, or the folder itself.
 *
 * @example
 * findServeDir({}) // { dir: "/home/me/repo", gitRoot: "/home/me/repo" } in /home/me/repo/src
 */
export function findServeDir(options: { project?: string | undefined }): ServeDir {
  const start = options.project ? findProjectDir(options) : invocationDir();
  const gitRoot = gitTopLevel(start);
  if (options.project) return { dir: start, gitRoot };
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, ".agent"))) return { dir, gitRoot };
    if (dir === gitRoot) return { dir, gitRoot };
    const parent = dirname(dir);
    if (parent === dir) return { dir: start, gitRoot };
    dir = parent;
  }
}

function gitTopLevel(dir: string): string | undefined {
  const result = spawnSync("git", ["rev-parse", "--show-toplevel"], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const top = result.status === 0 ? result.stdout.trim() : "";
  return top ? resolve(top) : undefined;
}
