import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { GATED_TEMPLATE, scriptGate } from "./helpers/scriptGate.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const NOTE_TEMPLATE = `name: Note
phases: [write]
argsSchema:
  type: object
  properties:
    note: { type: string }
steps:
  - id: write
    phase: write
    type: script
    command: [sh, -c, 'sleep 0.3; echo "$1" > note.txt; echo changed >> README.md', write, "{{ args.note }}"]
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });

/** A git repository with the templates committed on `main`, and one more branch. */
function gitProject(templates: Record<string, string>, commit = true): string {
  const dir = tempDir("repo");
  const definitions = join(dir, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  for (const [name, text] of Object.entries(templates))
    writeFileSync(join(definitions, name), text);
  writeFileSync(join(dir, "README.md"), "# demo\n");
  writeFileSync(join(dir, ".gitignore"), ".agent/workflows/executions/\n");
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "Dev");
  if (commit) {
    git(dir, "add", ".");
    git(dir, "commit", "--quiet", "-m", "start");
    git(dir, "branch", "release");
  }
  return dir;
}

async function createRun(s: TestServer, body: Record<string, unknown> = {}) {
  return s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, ...body },
  });
}

async function waitFor(s: TestServer, runId: string, status: string) {
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${status}`);
}

describe("a git worktree per run", () => {
  it("runs two runs in parallel in their own worktrees, neither seeing the other's changes", async () => {
    const projectDir = gitProject({ "note.yaml": NOTE_TEMPLATE });
    server = await startTestServer({ projectDir });
    const s = server;
    const [a, b] = await Promise.all([
      createRun(s, { name: "Note A", args: { note: "from a" } }),
      createRun(s, { name: "Note B", args: { note: "from b" } }),
    ]);
    const runA = await waitFor(s, a.body.data.id, "completed");
    const runB = await waitFor(s, b.body.data.id, "completed");
    expect(runA.workspace_branch).toMatch(/^phaseboard\/note-a-/);
    expect(runA.workspace_path).not.toBe(runB.workspace_path);
    expect(readFileSync(join(runA.workspace_path, "note.txt"), "utf8")).toBe("from a\n");
    expect(readFileSync(join(runB.workspace_path, "note.txt"), "utf8")).toBe("from b\n");
    // The project's own checkout is untouched.
    expect(existsSync(join(projectDir, "note.txt"))).toBe(false);
    expect(readFileSync(join(projectDir, "README.md"), "utf8")).toBe("# demo\n");
    expect(git(projectDir, "branch", "--list", "phaseboard/*").trim().split("\n")).toHaveLength(2);
    const projects = (await s.api("/api/projects")).body.data as { runs_in_place: string | null }[];
    expect(projects[0]?.runs_in_place).toBeNull();

    // The diff is git's, new and changed files included.
    const diff = (await s.api(`/api/workflow-executions/${runA.id}/diff`)).body.data;
    expect(diff).toMatchObject({ branch: runA.workspace_branch, base_ref: "main" });
    expect(diff.base_commit).toBe(git(projectDir, "rev-parse", "main").trim());
    expect(diff.files).toEqual([
      { path: "README.md", status: "M", additions: 1, deletions: 0 },
      { path: "note.txt", status: "A", additions: 1, deletions: 0 },
    ]);
    expect(diff.patch).toBe(git(runA.workspace_path, "diff", "-M", diff.base_commit));

    // Archiving removes the worktree and keeps the branch.
    const archived = await s.api(`/api/workflow-executions/${runA.id}`, {
      method: "PATCH",
      body: { archived: true },
    });
    expect(archived.status).toBe(200);
    expect(existsSync(runA.workspace_path)).toBe(false);
    expect(git(projectDir, "branch", "--list", runA.workspace_branch).trim()).toContain(
      runA.workspace_branch,
    );
    const gone = await s.api(`/api/workflow-executions/${runA.id}/diff`);
    expect(gone.status).toBe(409);
  });

  it("keeps using the same worktree across a server restart, and refuses to archive a live run", async () => {
    const first = await startTestServer({
      projectDir: gitProject({ "gated.yaml": GATED_TEMPLATE }),
    });
    const created = await createRun(first, { args: { featureName: "x" } });
    const run = created.body.data;
    expect(run.workspace_path).toBeTruthy();
    const gate = scriptGate(run.workspace_path);
    await gate.reached("x");
    const refused = await first.api(`/api/workflow-executions/${run.id}`, {
      method: "PATCH",
      body: { archived: true },
    });
    expect(refused.status).toBe(409);
    await first.close();
    gate.reset("x");
    server = await startTestServer({ restart: first });
    await gate.reached("x");
    gate.release("x");
    const done = await waitFor(server, run.id, "completed");
    expect(done.workspace_path).toBe(run.workspace_path);
  });

  it("starts from a chosen base, and refuses a base that does not exist, creating nothing", async () => {
    const projectDir = gitProject({ "note.yaml": NOTE_TEMPLATE });
    git(projectDir, "checkout", "--quiet", "release");
    writeFileSync(join(projectDir, "RELEASE.md"), "1.0\n");
    git(projectDir, "add", ".");
    git(projectDir, "commit", "--quiet", "-m", "release notes");
    git(projectDir, "checkout", "--quiet", "main");
    server = await startTestServer({ projectDir });
    const s = server;
    const missing = await createRun(s, { base: "no-such-branch", args: { note: "x" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe(
      `base: no branch or commit "no-such-branch" in ${projectDir}`,
    );
    expect((await s.api("/api/workflow-executions")).body.data).toEqual([]);

    const fromRelease = await createRun(s, { base: "release", args: { note: "x" } });
    expect(fromRelease.status).toBe(201);
    expect(fromRelease.body.data.workspace_base_ref).toBe("release");
    expect(existsSync(join(fromRelease.body.data.workspace_path, "RELEASE.md"))).toBe(true);
    await waitFor(s, fromRelease.body.data.id, "completed");
  });

  it("runs in place, with a notice, in a folder that is not a repository or has no commits yet", async () => {
    for (const projectDir of [
      gitProject({ "note.yaml": NOTE_TEMPLATE }, false),
      (() => {
        const dir = tempDir("plain");
        mkdirSync(join(dir, ".agent", "workflows", "definitions"), { recursive: true });
        writeFileSync(join(dir, ".agent", "workflows", "definitions", "note.yaml"), NOTE_TEMPLATE);
        return dir;
      })(),
    ]) {
      server = await startTestServer({ projectDir });
      const s = server;
      const refused = await createRun(s, { base: "main", args: { note: "x" } });
      expect(refused.status).toBe(400);
      const created = await createRun(s, { args: { note: "in place" } });
      const run = await waitFor(s, created.body.data.id, "completed");
      expect(run.workspace_path).toBeNull();
      expect(readFileSync(join(projectDir, "note.txt"), "utf8")).toBe("in place\n");
      // The board says so for the project (not on every card).
      const projects = (await s.api("/api/projects")).body.data as {
        path: string;
        runs_in_place: string | null;
      }[];
      expect(projects.find((p) => p.path === projectDir)?.runs_in_place).toMatch(
        /^(not a git repository|a git repository with no commits yet)$/,
      );
      expect((await s.api(`/api/workflow-executions/${run.id}/diff`)).status).toBe(409);
      await s.close();
      server = undefined;
    }
  });

  describe("merging and discarding a run's work", () => {
    async function finishedRun(s: TestServer, note: string) {
      const created = await createRun(s, { name: `Note ${note}`, args: { note } });
      return waitFor(s, created.body.data.id, "completed");
    }

    it("squashes a run into main as one commit, and fast-forwards another", async () => {
      const projectDir = gitProject({ "note.yaml": NOTE_TEMPLATE });
      server = await startTestServer({ projectDir });
      const s = server;
      const run = await finishedRun(s, "squashed");
      const merged = await s.api(`/api/workflow-executions/${run.id}/merge`, {
        body: { mode: "squash", message: "Add the note" },
      });
      expect(merged.status).toBe(200);
      expect(merged.body.data).toMatchObject({ mode: "squash", base_ref: "main" });
      expect(git(projectDir, "rev-parse", "HEAD").trim()).toBe(merged.body.data.commit);
      expect(git(projectDir, "log", "-1", "--format=%s").trim()).toBe("Add the note");
      expect(readFileSync(join(projectDir, "note.txt"), "utf8")).toBe("squashed\n");

      // A run started from the new main fast-forwards it: main becomes the run's branch.
      const next = await finishedRun(s, "fast");
      const ff = await s.api(`/api/workflow-executions/${next.id}/merge`, { body: { mode: "ff" } });
      expect(ff.status).toBe(200);
      expect(git(projectDir, "rev-parse", "main").trim()).toBe(
        git(projectDir, "rev-parse", next.workspace_branch).trim(),
      );
      expect(readFileSync(join(projectDir, "note.txt"), "utf8")).toBe("fast\n");
    });

    it("refuses a dirty checkout, a base that moved on and a conflict, changing nothing", async () => {
      const projectDir = gitProject({ "note.yaml": NOTE_TEMPLATE });
      server = await startTestServer({ projectDir });
      const s = server;
      const run = await finishedRun(s, "mine");
      const head = git(projectDir, "rev-parse", "HEAD").trim();

      writeFileSync(join(projectDir, "README.md"), "# edited by hand\n");
      const dirty = await s.api(`/api/workflow-executions/${run.id}/merge`, { body: {} });
      expect(dirty.status).toBe(409);
      expect(dirty.body.error.message).toBe(
        "merge: the project's checkout has uncommitted changes (README.md); commit or stash them first",
      );

      // Someone commits a conflicting README on main meanwhile.
      git(projectDir, "commit", "--quiet", "-am", "edit the readme");
      const moved = await s.api(`/api/workflow-executions/${run.id}/merge`, {
        body: { mode: "ff" },
      });
      expect(moved.status).toBe(409);
      expect(moved.body.error.message).toContain("cannot fast-forward");
      const conflict = await s.api(`/api/workflow-executions/${run.id}/merge`, {
        body: { mode: "squash" },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toBe(
        `merge: squashing ${run.workspace_branch} into main conflicts in README.md; nothing was changed`,
      );
      expect(git(projectDir, "status", "--porcelain", "--untracked-files=no")).toBe("");
      expect(git(projectDir, "rev-parse", "HEAD").trim()).not.toBe(head);
      expect(readFileSync(join(projectDir, "README.md"), "utf8")).toBe("# edited by hand\n");
    });

    it("discards a run's worktree and branch and archives it", async () => {
      const projectDir = gitProject({ "note.yaml": NOTE_TEMPLATE });
      server = await startTestServer({ projectDir });
      const s = server;
      const run = await finishedRun(s, "unwanted");
      const discarded = await s.api(`/api/workflow-executions/${run.id}/discard`, { body: {} });
      expect(discarded.status).toBe(200);
      expect(existsSync(run.workspace_path)).toBe(false);
      expect(git(projectDir, "branch", "--list", run.workspace_branch).trim()).toBe("");
      const after = (await s.api(`/api/workflow-executions/${run.id}`)).body.data;
      expect(after.archived_at).not.toBeNull();
      expect(after.comments.at(-1).text).toContain("Discarded");
      const again = await s.api(`/api/workflow-executions/${run.id}/merge`, { body: {} });
      expect(again.status).toBe(409);
    });
  });
});
