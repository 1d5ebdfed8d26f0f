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
        runId: "xxxxxxxxxxxxxxxxabcdefgh",
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
        runId: "yyyyyyyyyyyyyyyyabcdefgh",
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

describe("GitWorkspaces.merge into a branch checked out in a worktree", () => {
  async function parentAndChild() {
    const project = repository();
    const workspaces = new GitWorkspaces(tempDir("ws-root"));
    const parent = await workspaces.create({
      projectPath: project,
      runId: "parent00000000000parent01",
      name: "Parent",
    });
    writeFileSync(join(parent.path, "draft.txt"), "draft\n");
    await workspaces.commitAll(parent.path, "Parent: work so far");
    const child = await workspaces.create({
      projectPath: project,
      runId: "child000000000000child001",
      name: "Child",
      baseRef: parent.branch,
    });
    writeFileSync(join(child.path, "child.txt"), "child\n");
    return { project, workspaces, parent, child };
  }

  it("squashes the child's branch in the parent's worktree, leaving the project's checkout alone", async () => {
    const { project, workspaces, parent, child } = await parentAndChild();
    expect(existsSync(join(child.path, "draft.txt"))).toBe(true);
    expect(await workspaces.checkoutOf(project, parent.branch)).toBe(parent.path);
    const { commit } = await workspaces.merge({
      projectPath: project,
      workspace: child,
      mode: "squash",
      message: "Take the child's work",
    });
    expect(git(parent.path, "rev-parse", "HEAD")).toBe(commit);
    expect(git(parent.path, "log", "-1", "--format=%s")).toBe("Take the child's work");
    expect(existsSync(join(parent.path, "child.txt"))).toBe(true);
    expect(existsSync(join(project, "child.txt"))).toBe(false);
    expect(git(project, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  });

  it("refuses when the parent's worktree has uncommitted changes, and names that worktree", async () => {
    const { project, workspaces, parent, child } = await parentAndChild();
    writeFileSync(join(parent.path, "draft.txt"), "edited\n");
    await expect(
      workspaces.merge({ projectPath: project, workspace: child, mode: "squash", message: "x" }),
    ).rejects.toThrow(
      `merge: the worktree ${parent.path} has uncommitted changes (draft.txt); commit or stash them first`,
    );
    expect(existsSync(join(parent.path, "child.txt"))).toBe(false);
  });
});
