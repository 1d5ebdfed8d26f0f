import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { GitWorkspaces } from "./GitWorkspaces.js";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

function repository(): string {
  const dir = tempDir("ws-repo");
  writeFileSync(join(dir, "README.md"), "# demo\n");
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "Dev");
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "start");
  return dir;
}

describe("GitWorkspaces.create", () => {
  it("makes phaseboard/<slug>-<id8> from the checked-out branch in a folder of its own", async () => {
    const project = repository();
    const workspaces = new GitWorkspaces(tempDir("ws-root"));
    const workspace = await workspaces.create({
      projectPath: project,
      runId: "cm0run0000000000abcdefgh",
      name: "Fix the Login page!",
    });
    expect(workspace.branch).toBe("phaseboard/fix-the-login-page-abcdefgh");
    expect(workspace.baseRef).toBe("main");
    expect(workspace.baseCommit).toBe(git(project, "rev-parse", "HEAD"));
    expect(git(workspace.path, "rev-parse", "--abbrev-ref", "HEAD")).toBe(workspace.branch);
  });

  it("refuses a worktree folder that already exists, leaving it and the repository alone", async () => {
    const project = repository();
    const root = tempDir("ws-root");
    const workspaces = new GitWorkspaces(root);
    const folder = join(
      root,
      project
        .split("/")
        .at(-1)
        ?.toLowerCase()
        .replace(/[^a-z0-9]+/g, "-") ?? "",
      "notes-abcdefgh",
    );
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "mine.txt"), "keep me");
    await expect(
      workspaces.create({
        projectPath: project,
        runId: "x".repeat(16) + "abcdefgh",
        name: "Notes",
      }),
    ).rejects.toThrow(`the worktree folder ${folder} already exists; move it away`);
    expect(existsSync(join(folder, "mine.txt"))).toBe(true);
    expect(git(project, "branch", "--list", "phaseboard/*")).toBe("");
  });

  it("explains git's refusal when the branch name is already taken", async () => {
    const project = repository();
    git(project, "branch", "phaseboard/notes-abcdefgh");
    const workspaces = new GitWorkspaces(tempDir("ws-root"));
    await expect(
      workspaces.create({
        projectPath: project,
        runId: "y".repeat(16) + "abcdefgh",
        name: "Notes",
      }),
    ).rejects.toThrow(
      "git could not create the worktree: a branch named 'phaseboard/notes-abcdefgh' already exists",
    );
  });

  it("names a base that does not exist", async () => {
    const project = repository();
    const workspaces = new GitWorkspaces(tempDir("ws-root"));
    await expect(
      workspaces.create({
        projectPath: project,
        runId: "z".repeat(24),
        name: "X",
        baseRef: "nope",
      }),
    ).rejects.toThrow(`base: no branch or commit "nope" in ${project}`);
  });
});
