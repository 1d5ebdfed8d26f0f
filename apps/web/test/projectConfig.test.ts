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

/** Its one step fails unless setup left `.ready` in the worktree first. */
const NEEDS_SETUP = `name: Needs setup
phases: [build]
steps:
  - { id: build, phase: build, type: script, command: "test -f .ready && echo built" }
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });

/** A committed git repository holding the templates and `.agent/phaseboard.yaml`. */
function gitProject(templates: Record<string, string>, config?: string): string {
  const dir = tempDir("repo");
  const definitions = join(dir, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  for (const [name, text] of Object.entries(templates))
    writeFileSync(join(definitions, name), text);
  if (config !== undefined) writeFileSync(join(dir, ".agent", "phaseboard.yaml"), config);
  writeFileSync(join(dir, ".gitignore"), ".agent/workflows/executions/\n");
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "add", ".");
  git(
    dir,
    "-c",
    "user.email=dev@example.com",
    "-c",
    "user.name=Dev",
    "commit",
    "--quiet",
    "-m",
    "start",
  );
  return dir;
}

async function createRun(s: TestServer, body: Record<string, unknown> = {}) {
  const created = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, ...body },
  });
  expect(created.status).toBe(201);
  return created.body.data as { id: string; workspace_path: string };
}

async function waitFor(s: TestServer, runId: string, status: string) {
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${status}`);
}

async function until(condition: () => boolean) {
  for (let i = 0; i < 600 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(condition()).toBe(true);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("workspace setup and cleanup from .agent/phaseboard.yaml", () => {
  it("runs setup once in the new worktree before the first step, keeps its output, and does not repeat it after a restart", async () => {
    const counter = join(tempDir("counter"), "setups");
    const first = await startTestServer({
      projectDir: gitProject(
        { "gated.yaml": GATED_TEMPLATE },
        `workspace:\n  setup: "echo installing; touch .ready; echo x >> ${counter}"\n`,
      ),
    });
    const run = await createRun(first, { args: { featureName: "g" } });
    const gate = scriptGate(run.workspace_path);
    await gate.reached("g");
    // Setup ran in the worktree, before the step.
    expect(existsSync(join(run.workspace_path, ".ready"))).toBe(true);
    expect(readFileSync(counter, "utf8")).toBe("x\n");
    const log = join(
      first.projectDir,
      ".agent/workflows/executions",
      run.id,
      "workspace-setup.log",
    );
    expect(readFileSync(log, "utf8")).toContain("installing");

    await first.close();
    gate.reset("g");
    server = await startTestServer({ restart: first });
    await gate.reached("g");
    gate.release("g");
    const done = await waitFor(server, run.id, "completed");
    expect(readFileSync(counter, "utf8")).toBe("x\n");
    expect(done.comments.map((c: { text: string }) => c.text)).toContainEqual(
      expect.stringMatching(/^Workspace setup `echo installing; .*` finished in [\d.]+ s/),
    );
  });

  it("stops a setup still running when the run is paused, and sets up again from the start on resume", async () => {
    const dir = tempDir("setup");
    server = await startTestServer({
      projectDir: gitProject(
        { "needs.yaml": NEEDS_SETUP },
        `workspace:\n  setup: "echo $$ > ${dir}/pid; echo x >> ${dir}/starts; while [ ! -f ${dir}/release ]; do sleep 0.05; done; touch .ready"\n`,
      ),
    });
    const s = server;
    const run = await createRun(s);
    await until(() => existsSync(join(dir, "starts")));
    const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
    const paused = await s.api(`/api/workflow-executions/${run.id}/pause`, { body: {} });
    expect(paused.status).toBe(200);
    await until(() => !alive(pid));
    const row = (await s.api(`/api/workflow-executions/${run.id}`)).body.data;
    expect(row.status).toBe("paused");
    expect(row.steps).toEqual([]);

    await s.api(`/api/workflow-executions/${run.id}/resume`, { body: {} });
    await until(() => readFileSync(join(dir, "starts"), "utf8") === "x\nx\n");
    writeFileSync(join(dir, "release"), "");
    await waitFor(s, run.id, "completed");
  });

  it("kills a setup a shutdown interrupts and sets up again, whole, after the restart", async () => {
    const dir = tempDir("setup");
    const first = await startTestServer({
      projectDir: gitProject(
        { "needs.yaml": NEEDS_SETUP },
        `workspace:\n  setup: "echo $$ > ${dir}/pid; echo x >> ${dir}/starts; while [ ! -f ${dir}/release ]; do sleep 0.05; done; touch .ready"\n`,
      ),
    });
    const run = await createRun(first);
    await until(() => existsSync(join(dir, "starts")));
    const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
    await first.close();
    expect(alive(pid)).toBe(false);
    const parked = await first.app.db.workflowRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(parked).toMatchObject({ status: "pending", worker_id: null });

    server = await startTestServer({ restart: first });
    await until(() => readFileSync(join(dir, "starts"), "utf8") === "x\nx\n");
    writeFileSync(join(dir, "release"), "");
    await waitFor(server, run.id, "completed");
  });

  it("fails the run when setup fails, naming the command and its exit code, and runs no step", async () => {
    server = await startTestServer({
      projectDir: gitProject(
        { "needs.yaml": NEEDS_SETUP },
        "workspace:\n  setup: [sh, -c, 'echo fetching; echo registry unreachable >&2; exit 3']\n",
      ),
    });
    const run = await createRun(server);
    const failed = await waitFor(server, run.id, "failed");
    expect(failed.error_message).toBe(
      `Workspace setup failed: \`sh -c echo fetching; echo registry unreachable >&2; exit 3\` exited with code 3 (output in .agent/workflows/executions/${run.id}/workspace-setup.log)`,
    );
    expect(failed.steps).toEqual([]);
    const comment = failed.comments.at(-1).text as string;
    expect(comment).toContain("exited with code 3");
    expect(comment).toContain("registry unreachable");
  });

  it("names a setup that timed out", async () => {
    server = await startTestServer({
      projectDir: gitProject(
        { "needs.yaml": NEEDS_SETUP },
        'workspace:\n  setup: "sleep 30"\n  setup_timeout: 200ms\n',
      ),
    });
    const run = await createRun(server);
    const failed = await waitFor(server, run.id, "failed");
    expect(failed.error_message).toMatch(
      /^Workspace setup failed: `sleep 30` timed out after 200 ms/,
    );
    expect(failed.steps).toEqual([]);
  });

  it("runs cleanup in the worktree before archiving removes it; a failing cleanup does not block removal", async () => {
    const out = tempDir("cleanup");
    const projectDir = gitProject(
      { "needs.yaml": NEEDS_SETUP },
      `workspace:\n  setup: touch .ready\n  cleanup: "pwd > ${out}/$PHASEBOARD_RUN_ID"\n`,
    );
    server = await startTestServer({ projectDir });
    const s = server;
    const run = await createRun(s);
    await waitFor(s, run.id, "completed");
    const archived = await s.api(`/api/workflow-executions/${run.id}`, {
      method: "PATCH",
      body: { archived: true },
    });
    expect(archived.status).toBe(200);
    expect(readFileSync(join(out, run.id), "utf8").trim()).toBe(run.workspace_path);
    expect(existsSync(run.workspace_path)).toBe(false);

    // Now a cleanup that fails: discard still removes the worktree and the branch.
    writeFileSync(
      join(projectDir, ".agent", "phaseboard.yaml"),
      "workspace:\n  setup: touch .ready\n  cleanup: 'echo cannot stop the dev server >&2; exit 7'\n",
    );
    const second = await createRun(s);
    await waitFor(s, second.id, "completed");
    const discarded = await s.api(`/api/workflow-executions/${second.id}/discard`, { body: {} });
    expect(discarded.status).toBe(200);
    expect(existsSync(second.workspace_path)).toBe(false);
    const after = (await s.api(`/api/workflow-executions/${second.id}`)).body.data;
    const note = after.comments.find((c: { text: string }) =>
      c.text.startsWith("Workspace cleanup"),
    );
    expect(note.text).toContain("exited with code 7; the worktree was removed anyway");
    expect(note.text).toContain("cannot stop the dev server");
  });

  it("reports a refused config on the project with its line and column, and fails new runs with it", async () => {
    const projectDir = gitProject(
      { "needs.yaml": NEEDS_SETUP },
      "workspace:\n  setup: touch .ready\n  teardown: rm -rf .ready\n",
    );
    server = await startTestServer({ projectDir });
    const s = server;
    const file = join(projectDir, ".agent", "phaseboard.yaml");
    const project = (await s.api(`/api/projects/${s.projectId}`)).body.data;
    expect(project.config).toBeNull();
    expect(project.config_error).toEqual({
      code: "PROJECT_CONFIG_INVALID",
      file,
      line: 3,
      column: 3,
      message: `${file}:3:3 workspace.teardown: unknown key; expected setup, cleanup or setup_timeout`,
    });
    const listed = (await s.api("/api/projects")).body.data;
    expect(listed[0].config_error.line).toBe(3);

    const run = await createRun(s);
    const failed = await waitFor(s, run.id, "failed");
    expect(failed.error_message).toContain(`${file}:3:3 workspace.teardown: unknown key`);
    expect(failed.steps).toEqual([]);

    // Fixed on disk: read again on the next request, no restart.
    writeFileSync(file, "workspace:\n  setup: touch .ready\n  cleanup: rm -rf .ready\n");
    const fixed = (await s.api(`/api/projects/${s.projectId}`)).body.data;
    expect(fixed.config_error).toBeNull();
    expect(fixed.config).toEqual({
      workspace: { setup: "touch .ready", cleanup: "rm -rf .ready" },
    });
    expect((await s.api("/api/projects/nope")).status).toBe(404);
  });
});
