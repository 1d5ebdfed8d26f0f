import { mkdirSync, writeFileSync } from "node:fs";
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

async function start(s: TestServer, gate: string, after?: string[]) {
  const response = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: s.definitionId,
      args: { featureName: gate },
      name: gate,
      ...(after && { after }),
    },
  });
  return response;
}

async function waitFor(s: TestServer, id: string, status: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = (await s.api(`/api/workflow-executions/${id}`)).body.data;
    if (run.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${run.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("card dependencies", () => {
  it("starts B only when both A1 and A2 have completed", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const gate = scriptGate(server.projectDir);
    const a1 = (await start(server, "a1")).body.data;
    const a2 = (await start(server, "a2")).body.data;
    const b = await start(server, "b", [a1.id, a2.id]);
    expect(b.status).toBe(201);
    expect(b.body.data.status).toBe("blocked");
    gate.release("b");

    gate.release("a1");
    const a1Done = await waitFor(server, a1.id, "completed");
    // One prerequisite done is not enough.
    let blocked = await waitFor(server, b.body.data.id, "blocked");
    expect(blocked.error_message).toBe(`Waiting for a2 (${a2.id})`);
    gate.release("a2");
    const a2Done = await waitFor(server, a2.id, "completed");
    const bDone = await waitFor(server, b.body.data.id, "completed");
    expect(new Date(bDone.started_at).getTime()).toBeGreaterThanOrEqual(
      Math.max(new Date(a1Done.completed_at).getTime(), new Date(a2Done.completed_at).getTime()),
    );
    expect(bDone.prerequisites.map((run: { id: string }) => run.id)).toEqual([a1.id, a2.id]);
    blocked = (await server.api(`/api/workflow-executions/${a1.id}`)).body.data;
    expect(blocked.dependents.map((run: { id: string }) => run.id)).toEqual([b.body.data.id]);
  });

  it("keeps a blocked run blocked across a restart, then starts it when its prerequisite completes", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const gate = scriptGate(server.projectDir);
    const a = (await start(server, "a")).body.data;
    const b = (await start(server, "b", [a.id])).body.data;
    gate.release("b");
    await gate.reached("a");
    await server.close();
    const restarted = await startTestServer({ restart: server });
    server = restarted;
    await waitFor(restarted, b.id, "blocked");
    gate.release("a");
    await waitFor(restarted, a.id, "completed");
    await waitFor(restarted, b.id, "completed");
  });

  it("leaves B blocked with the reason when A fails, until it is started anyway", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const gate = scriptGate(server.projectDir);
    const a = (await start(server, "a")).body.data;
    const b = (await start(server, "b", [a.id])).body.data;
    gate.release("b");
    await gate.reached("a");
    await server.api(`/api/workflow-executions/${a.id}/cancel`, { body: {} });
    await waitFor(server, a.id, "cancelled");
    const deadline = Date.now() + 30_000;
    let blocked = await waitFor(server, b.id, "blocked");
    while (!blocked.error_message?.includes("was cancelled") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      blocked = await waitFor(server, b.id, "blocked");
    }
    expect(blocked.error_message).toBe(
      `Prerequisite a (${a.id}) was cancelled. Start this run anyway or cancel it.`,
    );
    const started = await server.api(`/api/workflow-executions/${b.id}/resume`, { body: {} });
    expect(started.body.data.status).toBe("pending");
    await waitFor(server, b.id, "completed");
  });

  it("refuses a missing run, the run itself, a failed run and a cycle, and changes nothing", async () => {
    server = await startTestServer({
      templates: { "gated.yaml": GATED_TEMPLATE },
      queueOnly: true,
    });
    const before = await server.app.db.workflowRun.count();
    const missing = await start(server, "x", ["ckxmissing000000000000000"]);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe(
      "after: no run ckxmissing000000000000000 in this project",
    );

    const a = (await start(server, "a")).body.data;
    const b = (await start(server, "b", [a.id])).body.data;
    expect(b.status).toBe("blocked");
    const self = await server.api(`/api/workflow-executions/${a.id}/prerequisites`, {
      body: { after: [a.id] },
    });
    expect(self.status).toBe(409);
    expect(self.body.error).toEqual({
      code: "DEPENDENCY_ON_ITSELF",
      message: `after: run ${a.id} cannot wait for itself`,
    });
    const cycle = await server.api(`/api/workflow-executions/${a.id}/prerequisites`, {
      body: { after: [b.id] },
    });
    expect(cycle.status).toBe(409);
    expect(cycle.body.error.code).toBe("DEPENDENCY_CYCLE");
    expect(cycle.body.error.message).toMatch(/^after: a dependency cycle/);
    expect((await server.api(`/api/workflow-executions/${a.id}`)).body.data.status).toBe("pending");

    await server.app.db.workflowRun.update({
      where: { id: a.id },
      data: { status: "failed", error_message: "boom" },
    });
    const failed = await start(server, "c", [a.id]);
    expect(failed.status).toBe(400);
    expect(failed.body.error.message).toMatch(`after: run ${a.id} (a) has failed`);
    const linkFailed = await server.api(`/api/workflow-executions/${b.id}/prerequisites`, {
      body: { after: [a.id] },
    });
    expect(linkFailed.status).toBe(409);
    expect(linkFailed.body.error.code).toBe("PREREQUISITE_ENDED");
    const unknownKey = await server.api(`/api/workflow-executions/${b.id}/prerequisites`, {
      body: { after: [a.id], extra: true },
    });
    expect(unknownKey.status).toBe(400);
    expect(await server.app.db.workflowRun.count()).toBe(before + 2);
    expect(await server.app.db.runDependency.count()).toBe(1);
  });

  it("links a queued run to another by the prerequisites route, which blocks it", async () => {
    server = await startTestServer({
      templates: { "gated.yaml": GATED_TEMPLATE },
      queueOnly: true,
    });
    const a = (await start(server, "a")).body.data;
    const b = (await start(server, "b")).body.data;
    const linked = await server.api(`/api/workflow-executions/${b.id}/prerequisites`, {
      body: { after: [a.id] },
    });
    expect(linked.status).toBe(200);
    expect(linked.body.data).toMatchObject({
      status: "blocked",
      error_message: `Waiting for a (${a.id})`,
    });
  });
});

describe("linking an existing run (a card dropped on another)", () => {
  it("refuses a run of another project, a missing run and a run that has started, and changes nothing", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const gate = scriptGate(server.projectDir);
    const otherDir = tempDir("other-project");
    mkdirSync(join(otherDir, ".agent", "workflows", "definitions"), { recursive: true });
    writeFileSync(
      join(otherDir, ".agent", "workflows", "definitions", "gated.yaml"),
      GATED_TEMPLATE,
    );
    const other = (await server.api("/api/projects", { body: { name: "other", path: otherDir } }))
      .body.data;
    const otherDefinition = (await server.api(`/api/workflow-definitions?project_id=${other.id}`))
      .body.data[0];
    const foreign = (
      await server.api("/api/workflow-executions", {
        body: {
          project_id: other.id,
          workflow_definition_id: otherDefinition.id,
          args: { featureName: "foreign" },
          name: "foreign",
        },
      })
    ).body.data;
    // Its gate opens in its own project's folder.
    scriptGate(otherDir).release("foreign");
    const a = (await start(server, "a")).body.data;
    const b = (await start(server, "b", [a.id])).body.data;
    gate.release("b");

    const crossProject = await server.api(`/api/workflow-executions/${b.id}/prerequisites`, {
      body: { after: [foreign.id] },
    });
    expect(crossProject.status).toBe(409);
    expect(crossProject.body.error).toEqual({
      code: "DEPENDENCY_OTHER_PROJECT",
      message: `after: run ${foreign.id} belongs to another project; a run can only wait for runs of its own project`,
    });
    const missing = await server.api(`/api/workflow-executions/${b.id}/prerequisites`, {
      body: { after: ["ckxmissing000000000000000"] },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      "after: no run ckxmissing000000000000000 in this project",
    );
    const missingDependent = await server.api(
      "/api/workflow-executions/ckxmissing000000000000000/prerequisites",
      { body: { after: [a.id] } },
    );
    expect(missingDependent.status).toBe(404);

    await gate.reached("a");
    const started = await server.api(`/api/workflow-executions/${a.id}/prerequisites`, {
      body: { after: [b.id] },
    });
    expect(started.status).toBe(409);
    expect(started.body.error.code).toBe("RUN_ALREADY_STARTED");
    expect(await server.app.db.runDependency.count()).toBe(1);
    gate.release("a");
    await waitFor(server, b.id, "completed");
  });

  it("lists each card's prerequisites and tells boards when a link is added", async () => {
    server = await startTestServer({
      templates: { "gated.yaml": GATED_TEMPLATE },
      queueOnly: true,
    });
    const s = server;
    const a = (await start(s, "a")).body.data;
    const b = (await start(s, "b")).body.data;
    const c = (await start(s, "c", [a.id])).body.data;
    const events: unknown[] = [];
    const off = s.app.services.hub.subscribe((event) => {
      if (event.type === "workflow.execution.prerequisites_changed") events.push(event.data);
    });
    const linked = await s.api(`/api/workflow-executions/${c.id}/prerequisites`, {
      body: { after: [b.id, a.id] },
    });
    off();
    expect(linked.status).toBe(200);
    expect(events).toEqual([
      { execution_id: c.id, project_id: s.projectId, after_ids: [a.id, b.id] },
    ]);
    const list = (await s.api(`/api/workflow-executions?project_id=${s.projectId}`)).body.data as {
      id: string;
      after_ids: string[];
    }[];
    expect(Object.fromEntries(list.map((run) => [run.id, run.after_ids]))).toEqual({
      [a.id]: [],
      [b.id]: [],
      [c.id]: [a.id, b.id],
    });
    expect(await s.app.db.runDependency.count()).toBe(2);
  });
});

describe("a run's prerequisites' results", () => {
  it("are readable as after.<run-name> in a YAML template", async () => {
    server = await startTestServer({
      templates: {
        "first.yaml": `name: First
phases: [work]
steps:
  - { id: work, name: Work, phase: work, type: script, command: "echo first" }
`,
        "reader.yaml": `name: Reader
phases: [work]
steps:
  - id: read
    name: Read
    phase: work
    type: script
    command: echo {{ after.first.status }} {{ after.first.id }} {{ after.first.result != null }}
`,
      },
    });
    const s = server;
    const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
      .data as { id: string; identifier: string }[];
    const id = (identifier: string) => definitions.find((d) => d.identifier === identifier)?.id;
    const first = (
      await s.api("/api/workflow-executions", {
        body: { project_id: s.projectId, workflow_definition_id: id("first"), name: "first" },
      })
    ).body.data;
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: id("reader"), after: [first.id] },
    });
    expect(created.body.error).toBeUndefined();
    const reader = created.body.data;
    const done = await waitFor(s, reader.id, "completed");
    const log = await s.api(`/api/workflow-steps/${done.steps[0].id}/logs/output`);
    expect(log.body.data.content).toContain(`completed ${first.id} true`);
  });
});
