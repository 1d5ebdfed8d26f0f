import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { git, gitProject } from "./helpers/gitProject.js";
import { standInGh } from "./helpers/standInGh.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const NOTE_TEMPLATE = `name: Note
phases: [write]
steps:
  - id: write
    phase: write
    type: script
    command: [sh, -c, 'echo "a note" > note.txt']
`;

/** A project on `main` whose `origin` is a bare repository (optionally refusing pushes). */
function projectWithRemote(
  options: { refusePushes?: boolean; templates?: Record<string, string> } = {},
) {
  const projectDir = gitProject(options.templates ?? { "note.yaml": NOTE_TEMPLATE });
  const remote = join(tempDir("remote"), "demo.git");
  git(projectDir, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  git(projectDir, "remote", "add", "origin", remote);
  git(projectDir, "push", "--quiet", "origin", "main");
  if (options.refusePushes) {
    const hook = join(remote, "hooks", "pre-receive");
    writeFileSync(
      hook,
      "#!/bin/sh\necho 'branch pushes are closed for the release freeze' >&2\nexit 1\n",
    );
    chmodSync(hook, 0o755);
  }
  return { projectDir, remote };
}

async function completedRun(s: TestServer) {
  const created = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, name: "Write a note" },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${id}`)).body.data;
    if (run.status === "completed") return run;
    if (run.status === "failed") throw new Error(`run failed: ${run.error_message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("run never completed");
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition never held");
}

describe("opening a pull request from a run", () => {
  it("pushes the run's branch, opens the pull request once, follows its state and archives the run when it is merged", async () => {
    const { projectDir, remote } = projectWithRemote();
    const gh = standInGh();
    server = await startTestServer({
      projectDir,
      integrations: { env: gh.env, pullRequestRefreshMs: 100 },
    });
    const s = server;
    const run = await completedRun(s);

    const before = await s.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(before.body.data).toMatchObject({ pull_request: null, can_open: true, missing: null });

    const opened = await s.api(`/api/workflow-executions/${run.id}/pull-request`, { body: {} });
    expect(opened.status).toBe(200);
    expect(opened.body.data).toMatchObject({
      provider: "github",
      url: "https://github.com/acme/demo/pull/7",
      number: 7,
      head_branch: run.workspace_branch,
      base_branch: "main",
      state: "open",
      checks: "none",
    });
    // The branch, with the step's uncommitted note committed on it, is on the remote.
    expect(git(remote, "show", `${run.workspace_branch}:note.txt`)).toBe("a note\n");
    const create = gh.calls().filter((call) => call.args[1] === "create");
    expect(create).toHaveLength(1);
    const args = create[0]?.args ?? [];
    expect(args.slice(0, 8)).toEqual([
      "pr",
      "create",
      "--head",
      run.workspace_branch,
      "--base",
      "main",
      "--title",
      "Write a note",
    ]);
    expect(args[9]).toContain("Write a note");
    expect(args[9]).toContain("**Cost:**");

    // A second click shows the same pull request and opens no other.
    const again = await s.api(`/api/workflow-executions/${run.id}/pull-request`, { body: {} });
    expect(again.body.data.id).toBe(opened.body.data.id);
    expect(gh.calls().filter((call) => call.args[1] === "create")).toHaveLength(1);

    // The card carries it.
    const list = await s.api(`/api/workflow-executions?project_id=${s.projectId}`);
    expect(list.body.data[0].pull_request).toEqual({
      url: "https://github.com/acme/demo/pull/7",
      number: 7,
      state: "open",
      checks: "none",
    });

    gh.setView({
      state: "OPEN",
      statusCheckRollup: [{ status: "COMPLETED", conclusion: "FAILURE" }],
    });
    const failing = await until(
      () => s.api(`/api/workflow-executions/${run.id}/pull-request`),
      (r) => r.body.data.pull_request?.checks === "failing",
    );
    expect(failing.body.data.pull_request.state).toBe("open");

    gh.setView({
      state: "MERGED",
      statusCheckRollup: [{ status: "COMPLETED", conclusion: "SUCCESS" }],
    });
    const archived = await until(
      () => s.api(`/api/workflow-executions/${run.id}`),
      (r) => r.body.data.archived_at !== null,
    );
    expect(existsSync(run.workspace_path)).toBe(false);
    const comments = archived.body.data.comments.map((c: { text: string }) => c.text);
    expect(comments).toContain("Pull request #7 was merged; run archived.");
    const after = await s.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(after.body.data.pull_request).toMatchObject({ state: "merged", checks: "passing" });
  });

  it("shows git's message when the remote refuses the push, and records nothing as opened", async () => {
    const { projectDir } = projectWithRemote({ refusePushes: true });
    const gh = standInGh();
    server = await startTestServer({
      projectDir,
      integrations: { env: gh.env, pullRequestRefreshMs: 0 },
    });
    const run = await completedRun(server);
    const refused = await server.api(`/api/workflow-executions/${run.id}/pull-request`, {
      body: {},
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("git push to origin was refused");
    expect(refused.body.error.message).toContain("release freeze");
    expect(gh.calls().filter((call) => call.args[1] === "create")).toHaveLength(0);
    const status = await server.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(status.body.data.pull_request).toBeNull();
    expect(await server.app.db.pullRequest.count()).toBe(0);
  });

  it("says gh is not signed in instead of trying", async () => {
    const { projectDir } = projectWithRemote();
    const gh = standInGh({ signedOut: true });
    server = await startTestServer({
      projectDir,
      integrations: { env: gh.env, pullRequestRefreshMs: 0 },
    });
    const run = await completedRun(server);
    const status = await server.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(status.body.data.can_open).toBe(false);
    expect(status.body.data.missing).toContain("gh is not signed in");
    expect(status.body.data.missing).toContain("gh auth login");
    const refused = await server.api(`/api/workflow-executions/${run.id}/pull-request`, {
      body: {},
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("gh is not signed in");
    expect(gh.calls().some((call) => call.args[1] === "create")).toBe(false);
  });

  it("says what is missing without gh, and without a remote", async () => {
    const { projectDir } = projectWithRemote();
    server = await startTestServer({
      projectDir,
      integrations: {
        env: { ...process.env, PATH: tempDir("empty-bin") },
        pullRequestRefreshMs: 0,
      },
    });
    const run = await completedRun(server);
    const noGh = await server.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(noGh.body.data).toMatchObject({ can_open: false });
    expect(noGh.body.data.missing).toContain("the GitHub CLI (gh) is not installed");

    git(projectDir, "remote", "remove", "origin");
    const noRemote = await server.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(noRemote.body.data.missing).toContain("no git remote");
    const refused = await server.api(`/api/workflow-executions/${run.id}/pull-request`, {
      body: {},
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("no git remote");
  });
});

const SHIP_TEMPLATE = `name: Ship
phases: [write, ship]
argsSchema:
  type: object
  properties:
    topic: { type: string }
    base: { type: string }
steps:
  - id: write
    phase: write
    type: script
    command: [sh, -c, 'echo "a note" > note.txt']
  - id: pr
    phase: ship
    type: pull-request
    title: "Ship {{ args.topic }}"
    body: Made by the ship step.
    draft: true
    base: "{{ args.base }}"
`;

const SHIP_TS = `import { defineWorkflow } from "@phaseboard/workflow-engine";
export default defineWorkflow({
  name: "Ship in code",
  phases: ["ship"],
  async execute(ctx) {
    await ctx.step("write", { phase: "ship", type: "script", command: "echo code > code.txt" });
    const first = await ctx.openPullRequest({ title: "From code" });
    const again = await ctx.openPullRequest({ id: "pull-request-again" });
    return { first, again };
  },
});
`;

async function launchAndSettle(s: TestServer, identifier: string, args: Record<string, unknown>) {
  const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
    .data as { id: string; identifier: string; error: unknown }[];
  const definition = definitions.find((d) => d.identifier === identifier);
  expect(definition?.error ?? null).toBeNull();
  const created = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: definition?.id, args },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  return (
    await until(
      () => s.api(`/api/workflow-executions/${id}`),
      (r) => ["completed", "failed"].includes(r.body.data.status),
    )
  ).body.data;
}

describe("opening a pull request from a template step", () => {
  it("a YAML pull-request step pushes the branch and opens a draft with its interpolated title, body and base", async () => {
    const { projectDir, remote } = projectWithRemote({ templates: { "ship.yaml": SHIP_TEMPLATE } });
    const gh = standInGh();
    server = await startTestServer({
      projectDir,
      integrations: { env: gh.env, pullRequestRefreshMs: 0 },
    });
    const run = await launchAndSettle(server, "ship", { topic: "notes", base: "main" });
    expect(run.status).toBe("completed");
    expect(git(remote, "show", `${run.workspace_branch}:note.txt`)).toBe("a note\n");
    const create = gh.calls().filter((call) => call.args[1] === "create");
    expect(create.map((call) => call.args)).toEqual([
      [
        "pr",
        "create",
        "--head",
        run.workspace_branch,
        "--base",
        "main",
        "--title",
        "Ship notes",
        "--body",
        "Made by the ship step.",
        "--draft",
      ],
    ]);
    const status = await server.api(`/api/workflow-executions/${run.id}/pull-request`);
    expect(status.body.data.pull_request).toMatchObject({
      url: "https://github.com/acme/demo/pull/7",
      title: "Ship notes",
      base_branch: "main",
    });
    const step = (await server.api(`/api/workflow-executions/${run.id}`)).body.data.steps.find(
      (s: { step_id: string }) => s.step_id === "pr",
    );
    expect(step.status).toBe("completed");
  });

  it("ctx.openPullRequest opens one pull request and answers it again to a second call", async () => {
    const { projectDir, remote } = projectWithRemote({ templates: { "ship.ts": SHIP_TS } });
    const gh = standInGh();
    server = await startTestServer({
      projectDir,
      integrations: { env: gh.env, pullRequestRefreshMs: 0 },
    });
    const run = await launchAndSettle(server, "ship", {});
    expect(run.error_message).toBeNull();
    expect(run.status).toBe("completed");
    expect(run.result).toMatchObject({
      first: {
        url: "https://github.com/acme/demo/pull/7",
        number: 7,
        provider: "github",
        created: true,
      },
      again: { number: 7, created: false },
    });
    expect(git(remote, "show", `${run.workspace_branch}:code.txt`)).toBe("code\n");
    const create = gh.calls().filter((call) => call.args[1] === "create");
    expect(create).toHaveLength(1);
    expect(create[0]?.args.slice(6, 8)).toEqual(["--title", "From code"]);
    expect(create[0]?.args).not.toContain("--draft");
  });

  it("fails the step, opening nothing, when an interpolated base is not a branch name", async () => {
    const { projectDir } = projectWithRemote({ templates: { "ship.yaml": SHIP_TEMPLATE } });
    const gh = standInGh();
    server = await startTestServer({
      projectDir,
      integrations: { env: gh.env, pullRequestRefreshMs: 0 },
    });
    const run = await launchAndSettle(server, "ship", { topic: "x", base: "--delete-branch" });
    expect(run.status).toBe("failed");
    expect(run.error_message).toContain('base: "--delete-branch" is not a branch name');
    expect(gh.calls().filter((call) => call.args[1] === "create")).toHaveLength(0);
  });
});
