import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { git, gitProject } from "./helpers/gitProject.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The parent leaves draft.txt uncommitted, then starts a child in a worktree of its own,
// then lists its own folder: the child must see the draft, the parent not the child's work.
const PARENT = `name: Parent
phases: [draft, delegate, check]
steps:
  - { id: draft, phase: draft, type: script, command: "echo draft > draft.txt" }
  - { id: delegate, phase: delegate, type: workflow, workflow: child, workspace: own }
  - { id: check, phase: check, type: script, command: "ls > parent-sees.txt" }
`;
const CHILD = `name: Child
phases: [work]
steps:
  - { id: work, phase: work, type: script, command: "cat draft.txt > seen.txt; pwd > where.txt" }
`;
const SHARED_PARENT = `name: Shared Parent
phases: [delegate]
workspace: shared
steps:
  - { id: delegate, phase: delegate, type: workflow, workflow: child, workspace: own }
`;

async function waitFor(s: TestServer, runId: string, statuses: string[]) {
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (statuses.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${statuses.join("/")}`);
}

async function launch(s: TestServer, identifier: string) {
  const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
    .data as { id: string; identifier: string }[];
  const created = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: definitions.find((d) => d.identifier === identifier)?.id,
    },
  });
  expect(created.status).toBe(201);
  return waitFor(s, created.body.data.id, ["completed", "failed"]);
}

describe("a child run with a worktree of its own", () => {
  it("starts from its parent's uncommitted work, stays apart from it, and merges into the parent's worktree", async () => {
    const projectDir = gitProject({ "parent.yaml": PARENT, "child.yaml": CHILD });
    server = await startTestServer({ projectDir });
    const s = server;
    const parent = await launch(s, "parent");
    expect(parent.error_message).toBeNull();
    expect(parent.status).toBe("completed");
    const runs = (await s.api("/api/workflow-executions")).body.data as {
      id: string;
      parent_run_id: string | null;
      workspace_path: string;
      workspace_base_ref: string;
    }[];
    const child = runs.find((run) => run.parent_run_id === parent.id);
    expect(child?.workspace_path).toBeTruthy();
    expect(child?.workspace_path).not.toBe(parent.workspace_path);
    expect(child?.workspace_base_ref).toBe(parent.workspace_branch);
    const childPath = child?.workspace_path ?? "";

    // The parent's draft was committed on its branch first, so the child saw it.
    expect(readFileSync(join(childPath, "seen.txt"), "utf8")).toBe("draft\n");
    expect(readFileSync(join(childPath, "where.txt"), "utf8").trim()).toBe(childPath);
    expect(git(parent.workspace_path, "log", "-1", "--format=%s").trim()).toBe(
      "Parent: work so far, for its child runs",
    );
    // The parent never saw the child's files.
    expect(readFileSync(join(parent.workspace_path, "parent-sees.txt"), "utf8")).not.toMatch(
      /seen\.txt/,
    );

    // The child's diff is against its parent's branch, and merging it lands in the
    // parent's worktree (where that branch is checked out), not the project's checkout.
    const diff = (await s.api(`/api/workflow-executions/${child?.id}/diff`)).body.data;
    expect(diff.base_ref).toBe(parent.workspace_branch);
    expect(diff.files.map((f: { path: string }) => f.path)).toEqual(["seen.txt", "where.txt"]);
    const merged = await s.api(`/api/workflow-executions/${child?.id}/merge`, {
      body: { mode: "squash", message: "Take the child's work" },
    });
    expect(merged.status).toBe(200);
    expect(merged.body.data.base_ref).toBe(parent.workspace_branch);
    expect(git(parent.workspace_path, "log", "-1", "--format=%s").trim()).toBe(
      "Take the child's work",
    );
    expect(readFileSync(join(parent.workspace_path, "seen.txt"), "utf8")).toBe("draft\n");
    expect(existsSync(join(projectDir, "seen.txt"))).toBe(false);
    expect(git(projectDir, "branch", "--show-current").trim()).toBe("main");
    const parentDiff = (await s.api(`/api/workflow-executions/${parent.id}/diff`)).body.data;
    expect(parentDiff.files.map((f: { path: string }) => f.path)).toEqual([
      "draft.txt",
      "parent-sees.txt",
      "seen.txt",
      "where.txt",
    ]);
  });

  it("refuses a worktree of its own when the parent works in the project folder", async () => {
    const projectDir = gitProject({ "shared-parent.yaml": SHARED_PARENT, "child.yaml": CHILD });
    server = await startTestServer({ projectDir });
    const parent = await launch(server, "shared-parent");
    expect(parent.status).toBe("failed");
    expect(parent.error_message).toMatch(
      /workspace "own": run .* works in its project folder, so its child runs cannot branch from a worktree of its own/,
    );
  });

  it("sets up the child's worktree with the project's setup command, and fails the child when it fails", async () => {
    // Setup fails only where the parent's draft is: in the child's worktree, not the parent's.
    const config = `workspace:
  setup: "if [ -f draft.txt ]; then echo broken >&2; exit 3; fi; echo ready > .setup-done"
`;
    const failing = gitProject(
      { "parent.yaml": PARENT, "child.yaml": CHILD },
      { files: { ".agent/phaseboard.yaml": config } },
    );
    server = await startTestServer({ projectDir: failing });
    const parent = await launch(server, "parent");
    expect(parent.status).toBe("failed");
    expect(readFileSync(join(parent.workspace_path, ".setup-done"), "utf8")).toBe("ready\n");
    const runs = (await server.api("/api/workflow-executions")).body.data as {
      id: string;
      parent_run_id: string | null;
      status: string;
      error_message: string | null;
    }[];
    const child = runs.find((run) => run.parent_run_id === parent.id);
    expect(child?.status).toBe("failed");
    expect(child?.error_message).toMatch(/^Workspace setup failed: `.*` exited with code 3/);
    expect(parent.error_message).toMatch(/Workspace setup failed/);
    await server.close();

    const passing = gitProject(
      { "parent.yaml": PARENT, "child.yaml": CHILD },
      { files: { ".agent/phaseboard.yaml": "workspace:\n  setup: echo ready > .setup-done\n" } },
    );
    server = await startTestServer({ projectDir: passing });
    const done = await launch(server, "parent");
    expect(done.status).toBe("completed");
    const family = (await server.api("/api/workflow-executions")).body.data as {
      parent_run_id: string | null;
      workspace_path: string;
    }[];
    const childPath = family.find((run) => run.parent_run_id === done.id)?.workspace_path ?? "";
    expect(readFileSync(join(childPath, ".setup-done"), "utf8")).toBe("ready\n");
  });
});
