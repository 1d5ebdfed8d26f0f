import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";

/** Runs git in `cwd`, never prompting. */
export const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });

/**
 * A git repository on `main` holding the templates, a README and whatever `files` say, all
 * committed (with `commit: false`, a repository with no commits yet).
 */
export function gitProject(
  templates: Record<string, string>,
  options: { files?: Record<string, string>; commit?: boolean } = {},
): string {
  const dir = tempDir("repo");
  const definitions = join(dir, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  for (const [name, text] of Object.entries(templates))
    writeFileSync(join(definitions, name), text);
  writeFileSync(join(dir, "README.md"), "# demo\n");
  writeFileSync(join(dir, ".gitignore"), ".agent/workflows/executions/\n");
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "Dev");
  if (options.commit !== false) {
    git(dir, "add", ".");
    git(dir, "commit", "--quiet", "-m", "start");
  }
  return dir;
}
