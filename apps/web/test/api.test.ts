import { realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runDetailResponseSchema, runListResponseSchema } from "@phaseboard/contracts";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { addStep, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function createRun(s: TestServer, args: Record<string, unknown> = { featureName: "auth" }) {
  const response = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, args },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; position: string; status: string };
}

describe("projects", () => {
  it("lists the project registered at start and registers another by path", async () => {
    server = await startTestServer();
    const listed = await server.api("/api/projects");
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: server.projectId, path: server.projectDir }),
    ]);
    const other = tempDir("other");
    const created = await server.api("/api/projects", { body: { name: "other", path: other } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: "other", path: other });
  });

  it("refuses a path that does not exist or is a file, and registers nothing", async () => {
    server = await startTestServer();
    const missing = await server.api("/api/projects", {
      body: { name: "x", path: "/no/such/dir" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toEqual({
      code: "VALIDATION_FAILED",
      message: "path: /no/such/dir does not exist",
    });
    const file = join(server.projectDir, "README");
    writeFileSync(file, "hi");
    const notDir = await server.api("/api/projects", { body: { name: "x", path: file } });
    expect(notDir.body.error.message).toBe(`path: ${file} is not a directory`);
    const noName = await server.api("/api/projects", { body: { path: server.projectDir } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toMatch(/^name: /);
    expect((await server.api("/api/projects")).body.data).toHaveLength(1);
  });

  it("refuses /, /proc/self/cwd and relative paths, and registers nothing", async () => {
    server = await startTestServer();
    const refusals: [string, string][] = [
      ["/", "path: / resolves to /, which cannot be a project: name the repository's own folder"],
      [
        "/tmp/..",
        "path: / resolves to /, which cannot be a project: name the repository's own folder",
      ],
      [
        "/proc/self/cwd",
        "path: /proc/self/cwd is inside a kernel pseudo-filesystem, not a repository",
      ],
      [
        "/proc/self/root/",
        "path: /proc/self/root/ is inside a kernel pseudo-filesystem, not a repository",
      ],
      [
        ".",
        "path: . is relative; give the repository's absolute path (a relative one would resolve against the server's folder)",
      ],
      [
        "../project",
        "path: ../project is relative; give the repository's absolute path (a relative one would resolve against the server's folder)",
      ],
    ];
    for (const [path, message] of refusals) {
      const response = await server.api("/api/projects", { body: { name: "x", path } });
      expect(response.status, path).toBe(400);
      expect(response.body.error, path).toEqual({ code: "VALIDATION_FAILED", message });
    }
    expect((await server.api("/api/projects")).body.data).toHaveLength(1);
  });

  it("registers a symlinked folder under its real path, once", async () => {
    server = await startTestServer();
    const real = tempDir("real-project");
    const link = join(tempDir("links"), "repo");
    symlinkSync(real, link);
    const viaLink = await server.api("/api/projects", { body: { name: "linked", path: link } });
    expect(viaLink.status).toBe(201);
    expect(viaLink.body.data.path).toBe(realpathSync(real));
    const direct = await server.api("/api/projects", { body: { name: "linked", path: real } });
    expect(direct.body.data.id).toBe(viaLink.body.data.id);
  });
});

describe("runs", () => {
  it("creates a pending run at the top of the first column and snapshots its definition and args", async () => {
    server = await startTestServer();
    const run = await createRun(server, { featureName: "auth", priority: 2 });
    expect(run).toMatchObject({
      status: "pending",
      current_phase: "research",
      args: { featureName: "auth", priority: 2 },
    });
    const { readFileSync } = await import("node:fs");
    const dir = join(server.projectDir, ".agent", "workflows", "executions", run.id);
    expect(JSON.parse(readFileSync(join(dir, "args.json"), "utf8"))).toEqual({
      featureName: "auth",
      priority: 2,
    });
    expect(JSON.parse(readFileSync(join(dir, "definition.json"), "utf8")).phases).toEqual([
      "research",
      "implement",
      "test",
    ]);
    const second = await createRun(server);
    expect(second.position < run.position).toBe(true);
  });

  it("answers args that fail the template's schema with 400 naming the field, and creates nothing", async () => {
    server = await startTestServer();
    const response = await server.api("/api/workflow-executions", {
      body: {
        project_id: server.projectId,
        workflow_definition_id: server.definitionId,
        args: { priority: "high" },
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_FAILED");
    expect(response.body.error.message).toContain("args.featureName: is required");
    expect(response.body.error.message).toContain("args.priority: must be integer");
    expect((await server.api("/api/workflow-executions")).body.data).toEqual([]);
  });

  it("answers unknown ids with 404 and malformed JSON with 400", async () => {
    server = await startTestServer();
    const unknownDefinition = await server.api("/api/workflow-executions", {
      body: {
        project_id: server.projectId,
        workflow_definition_id: "nope",
        args: { featureName: "x" },
      },
    });
    expect(unknownDefinition.status).toBe(404);
    expect(unknownDefinition.body.error.message).toContain("No workflow definition nope");
    for (const path of [
      "/api/workflow-executions/nope",
      "/api/workflow-steps/nope",
      "/api/artifacts/nope",
      "/api/workflow-definitions/nope",
    ]) {
      const response = await server.api(path);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code, path).toBe("NOT_FOUND");
    }
    expect((await server.api("/api/workflow-executions/nope/pause", { body: {} })).status).toBe(
      404,
    );
    const malformed = await server.api("/api/workflow-executions", { body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("BAD_REQUEST");
  });

  it("pages the list by cursor and filters it by status, phase and template", async () => {
    // Runs stay queued: what is checked here is the API, not how fast runs finish.
    server = await startTestServer({ queueOnly: true });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createRun(server)).id);
    const first = await server.api(
      `/api/workflow-executions?project_id=${server.projectId}&limit=2`,
    );
    // The answer is exactly the shared contract the board and CLI parse.
    expect(runListResponseSchema.safeParse(first.body).error).toBeUndefined();
    expect(first.body.data.map((run: { id: string }) => run.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.data[0]).toMatchObject({
      _count: { comments: 0, artifacts: 0, steps: 0 },
      workflow_definition: { name: "Implement Feature" },
    });
    const second = await server.api(
      `/api/workflow-executions?limit=2&cursor=${first.body.page.next_cursor}`,
    );
    expect(second.body.data.map((run: { id: string }) => run.id)).toEqual([ids[2], ids[1]]);
    const third = await server.api(
      `/api/workflow-executions?limit=2&cursor=${second.body.page.next_cursor}`,
    );
    expect(third.body.data.map((run: { id: string }) => run.id)).toEqual([ids[0]]);
    expect(third.body.page.next_cursor).toBeNull();

    await server.api(`/api/workflow-executions/${ids[0]}/pause`, { body: {} });
    const paused = await server.api("/api/workflow-executions?status=paused,failed");
    expect(paused.body.data.map((run: { id: string }) => run.id)).toEqual([ids[0]]);
    expect((await server.api("/api/workflow-executions?phase=test")).body.data).toEqual([]);
    expect(
      (await server.api(`/api/workflow-executions?workflow_definition_id=${server.definitionId}`))
        .body.data,
    ).toHaveLength(5);
    const bad = await server.api("/api/workflow-executions?status=sleeping&limit=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status\.0: .*limit: must be at least 1/);
  });

  it("pauses, resumes and cancels, and refuses to pause a finished run with 409", async () => {
    // Runs stay queued: what is checked here is the API, not how fast runs finish.
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    const paused = await server.api(`/api/workflow-executions/${run.id}/pause`, { body: {} });
    expect(paused.body.data).toMatchObject({ status: "paused", paused_at: expect.any(String) });
    const resumed = await server.api(`/api/workflow-executions/${run.id}/resume`, {
      method: "POST",
    });
    expect(resumed.body.data.status).toBe("pending");
    const cancelled = await server.api(`/api/workflow-executions/${run.id}/cancel`, {
      method: "POST",
    });
    expect(cancelled.body.data).toMatchObject({
      status: "cancelled",
      cancelled_at: expect.any(String),
    });
    const again = await server.api(`/api/workflow-executions/${run.id}/pause`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: "RUN_NOT_PAUSABLE",
      message: "Cannot pause a run that is cancelled",
    });
    await server.app.db.workflowRun.update({
      where: { id: run.id },
      data: { status: "completed" },
    });
    const completed = await server.api(`/api/workflow-executions/${run.id}/pause`, { body: {} });
    expect(completed.status).toBe(409);
    expect((await server.api(`/api/workflow-executions/${run.id}`)).body.data.status).toBe(
      "completed",
    );
  });

  it("rewinds a finished run to a phase of its template and refuses an unknown phase", async () => {
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    await server.app.db.workflowRun.update({
      where: { id: run.id },
      data: { status: "failed", current_phase: "test" },
    });
    const bad = await server.api(`/api/workflow-executions/${run.id}/rewind`, {
      body: { phase: "deploy" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('phase: "deploy" is not a phase');
    const rewound = await server.api(`/api/workflow-executions/${run.id}/rewind`, {
      body: { phase: "implement" },
    });
    expect(rewound.status).toBe(200);
    const detail = await server.api(`/api/workflow-executions/${run.id}`);
    expect(runDetailResponseSchema.safeParse(detail.body).error).toBeUndefined();
    expect(detail.body.data).toMatchObject({
      status: "pending",
      current_phase: "implement",
      error_message: null,
    });
  });

  it("moves a card between two others by rewriting only its position", async () => {
    server = await startTestServer();
    const a = await createRun(server);
    const b = await createRun(server);
    const c = await createRun(server);
    // Column order is c, b, a; drop a between c and b.
    const moved = await server.api(`/api/workflow-executions/${a.id}`, {
      method: "PATCH",
      body: { after_id: c.id, before_id: b.id },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.data.position > c.position && moved.body.data.position < b.position).toBe(
      true,
    );
    expect((await server.api(`/api/workflow-executions/${b.id}`)).body.data.position).toBe(
      b.position,
    );
    const empty = await server.api(`/api/workflow-executions/${a.id}`, {
      method: "PATCH",
      body: {},
    });
    expect(empty.status).toBe(400);
  });

  it("publishes state and reads it back", async () => {
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    await server.app.db.workflowRun.update({
      where: { id: run.id },
      data: { state: { progress: 3 } },
    });
    const state = await server.api(`/api/workflow-executions/${run.id}/state`);
    expect(state.body.data).toEqual({
      execution_id: run.id,
      status: "pending",
      current_phase: "research",
      state: { progress: 3 },
    });
  });
});

describe("comments", () => {
  it("comments on a run and on a step, and lists them with their artifacts", async () => {
    // Queued runs: the step rows are the test's own (addStep).
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    const step = await addStep(server, run.id);
    const runComment = await server.api(`/api/workflow-executions/${run.id}/comments`, {
      body: { text: "Looks good" },
    });
    expect(runComment.status).toBe(201);
    expect(runComment.body.data).toMatchObject({
      comment_type: "user",
      workflow_run_step_id: null,
    });
    await server.api(`/api/workflow-executions/${run.id}/comments`, {
      body: { text: "Step note", step_id: step.id },
    });
    expect(
      (await server.api(`/api/workflow-executions/${run.id}/comments`)).body.data,
    ).toHaveLength(2);
    const stepOnly = await server.api(
      `/api/workflow-executions/${run.id}/comments?step_id=${step.id}`,
    );
    expect(stepOnly.body.data).toEqual([
      expect.objectContaining({ text: "Step note", comment_type: "user", artifacts: [] }),
    ]);
  });

  it("refuses a step id from another run and writes nothing", async () => {
    // Queued runs: the step rows are the test's own (addStep).
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    const other = await createRun(server);
    const foreign = await addStep(server, other.id);
    const response = await server.api(`/api/workflow-executions/${run.id}/comments`, {
      body: { text: "hi", step_id: foreign.id },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(`step_id: step ${foreign.id} belongs to another run`);
    expect(await server.app.db.workflowComment.count()).toBe(0);
    const badType = await server.api(`/api/workflow-executions/${run.id}/comments`, {
      body: { text: "x", comment_type: "robot" },
    });
    expect(badType.body.error.message).toMatch(/^comment_type: /);
  });

  it("refuses a comment that claims to come from the system or an agent, and writes nothing", async () => {
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    for (const type of ["system", "agent"]) {
      const response = await server.api(`/api/workflow-executions/${run.id}/comments`, {
        body: { text: "Approved by the system", comment_type: type },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(
        `comment_type: ${type} comments are written by Phaseboard itself; the API adds user comments only`,
      );
    }
    expect(await server.app.db.workflowComment.count()).toBe(0);
  });
});

describe("step logs", () => {
  it("tails events.jsonl with ?after=N and reads the other logs whole", async () => {
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    const step = await addStep(server, run.id);
    const dir = join(
      server.projectDir,
      ".agent",
      "workflows",
      "executions",
      run.id,
      "logs",
      "research",
    );
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "summary.md"), "# Done\n");
    writeFileSync(
      join(dir, "events.jsonl"),
      '{"kind":"stdout","text":"a"}\n{"kind":"stdout","text":"b"}\n{"kind":"std',
    );
    const summary = await server.api(`/api/workflow-steps/${step.id}/logs/summary`);
    expect(summary.body.data).toEqual({
      type: "summary",
      step_id: step.id,
      content: "# Done\n",
      offset: 0,
      next_offset: 7,
      size: 7,
      truncated: false,
    });
    const all = await server.api(`/api/workflow-steps/${step.id}/logs/events`);
    expect(all.body.data.next_after).toBe(2);
    const tail = await server.api(`/api/workflow-steps/${step.id}/logs/events?after=1`);
    expect(tail.body.data.events).toEqual([{ kind: "stdout", text: "b" }]);
    expect((await server.api(`/api/workflow-steps/${step.id}/logs/output`)).body.data.content).toBe(
      "",
    );
    expect((await server.api(`/api/workflow-steps/${step.id}/logs/secrets`)).status).toBe(400);
    expect((await server.api(`/api/workflow-steps/${step.id}/logs/events?after=-1`)).status).toBe(
      400,
    );
  });
});

describe("input limits", () => {
  it("lists runs without their results, which only the run itself answers", async () => {
    server = await startTestServer({ queueOnly: true });
    const run = await createRun(server);
    const big = "x".repeat(5 * 1024 * 1024);
    await server.app.db.workflowRun.update({ where: { id: run.id }, data: { result: { big } } });
    const listed = await fetch(
      `${server.url}/api/workflow-executions?project_id=${server.projectId}`,
    );
    const text = await listed.text();
    expect(text.length).toBeLessThan(64 * 1024);
    const [card] = JSON.parse(text).data;
    expect(card.id).toBe(run.id);
    expect(card).not.toHaveProperty("result");
    expect((await server.api(`/api/workflow-executions/${run.id}`)).body.data.result).toEqual({
      big,
    });
  });

  it("answers args nested 10,000 levels deep with 400, creating no run", async () => {
    server = await startTestServer({ queueOnly: true });
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const response = await server.api("/api/workflow-executions", {
      body: `{"project_id":"${server.projectId}","workflow_definition_id":"${server.definitionId}","args":{"featureName":"x","deep":${deep}}}`,
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: "VALIDATION_FAILED",
      message: "args: is nested more than 400 levels deep",
    });
    expect(await server.app.db.workflowRun.count()).toBe(0);
  });
});
