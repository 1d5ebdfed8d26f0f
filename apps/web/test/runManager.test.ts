import {
  runDetailResponseSchema,
  serverMessageSchema,
  stepResponseSchema,
} from "@phaseboard/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
import { scriptedExecutor } from "./helpers/scriptedExecutor.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function createRun(s: TestServer) {
  const response = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: s.definitionId,
      args: { featureName: "x" },
    },
  });
  return response.body.data.id as string;
}

describe("run manager", () => {
  it("runs a workflow to completion, persisting before each event, in order", async () => {
    const executor = scriptedExecutor();
    server = await startTestServer({ executorFactory: executor.factory });
    const client = await openSocket(`${server.url}/ws`);
    const runId = await createRun(server);
    await executor.reached(runId);
    const running = await server.api(`/api/workflow-executions/${runId}`);
    expect(running.body.data).toMatchObject({
      status: "running",
      current_phase: "research",
      worker_id: expect.any(String),
    });
    expect(running.body.data.steps).toEqual([
      expect.objectContaining({ step_id: "research", status: "running" }),
    ]);
    executor.release(runId);
    await client.waitFor(
      (m) => m.type === "workflow.execution.status_changed" && m.data.status === "completed",
    );
    expect(
      client.messages
        .filter((m) => m.type.startsWith("workflow."))
        .map((m) => `${m.type}${m.data.status ? `:${m.data.status}` : ""}`),
    ).toEqual([
      "workflow.execution.created:pending",
      "workflow.execution.status_changed:running",
      "workflow.execution.phase_changed",
      "workflow.step.started",
      "workflow.step.progress",
      "workflow.step.completed:completed",
      "workflow.execution.status_changed:completed",
    ]);
    // Every message is exactly the shared contract the board parses.
    for (const message of client.messages) {
      expect(serverMessageSchema.safeParse(message).error, message.type).toBeUndefined();
    }
    const done = await server.api(`/api/workflow-executions/${runId}`);
    expect(runDetailResponseSchema.safeParse(done.body).error).toBeUndefined();
    const step = await server.api(`/api/workflow-steps/${done.body.data.steps[0].id}`);
    expect(stepResponseSchema.safeParse(step.body).error).toBeUndefined();
    expect(done.body.data).toMatchObject({
      status: "completed",
      worker_id: null,
      result: { ok: true },
    });
    expect(done.body.data.steps[0]).toMatchObject({
      status: "completed",
      completed_at: expect.any(String),
    });
    client.socket.close();
  });

  it("runs at most `concurrency` runs at once and starts queued ones as slots free", async () => {
    const executor = scriptedExecutor();
    server = await startTestServer({ executorFactory: executor.factory, concurrency: 1 });
    // Created back to back, so their queue drains overlap.
    const [a, b] = await Promise.all([createRun(server), createRun(server)]);
    await Promise.race([executor.reached(a), executor.reached(b)]);
    const first = executor.calls[0]?.runId as string;
    const second = first === a ? b : a;
    expect(server.app.services.manager.activeCount).toBe(1);
    expect((await server.api(`/api/workflow-executions/${second}`)).body.data.status).toBe(
      "pending",
    );
    executor.release(first);
    await executor.reached(second);
    expect(executor.calls.map((call) => call.runId)).toEqual([first, second]);
    executor.release(second);
  });

  it("renews the lease of a running run while its step runs", async () => {
    const executor = scriptedExecutor();
    server = await startTestServer({ executorFactory: executor.factory, heartbeatIntervalMs: 20 });
    const runId = await createRun(server);
    await executor.reached(runId);
    const db = server.app.db;
    const first = (await db.workflowRun.findUniqueOrThrow({ where: { id: runId } })).heartbeat_at;
    for (;;) {
      const now = (await db.workflowRun.findUniqueOrThrow({ where: { id: runId } })).heartbeat_at;
      if (now && first && now > first) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    executor.release(runId);
  });

  it("pauses a running run and resumes it from its checkpoint", async () => {
    const executor = scriptedExecutor();
    server = await startTestServer({ executorFactory: executor.factory });
    const runId = await createRun(server);
    await executor.reached(runId);
    const paused = await server.api(`/api/workflow-executions/${runId}/pause`, {
      body: { now: true },
    });
    expect(paused.body.data.status).toBe("paused");
    await server.api(`/api/workflow-executions/${runId}/resume`, { method: "POST" });
    await executor.reached(runId);
    expect(executor.calls.map((call) => call.kind)).toEqual(["start", "resume"]);
    executor.release(runId);
  });

  it("resumes on start the runs whose lease expired, and parks running runs on close", async () => {
    const executor = scriptedExecutor();
    server = await startTestServer({ executorFactory: executor.factory });
    const runId = await createRun(server);
    await executor.reached(runId);
    // Another process held this run and died: its heartbeat is long past.
    const stale = await server.app.db.workflowRun.create({
      data: {
        project_id: server.projectId,
        workflow_definition_id: server.definitionId,
        name: "orphan",
        args: { featureName: "x" },
        status: "running",
        position: "a0",
        worker_id: "dead-worker",
        heartbeat_at: new Date(Date.now() - 3_600_000),
        started_at: new Date(Date.now() - 3_600_000),
      },
    });
    expect(await server.app.services.manager.recover()).toBe(1);
    await executor.reached(stale.id);
    expect(executor.calls).toContainEqual({ kind: "resume", runId: stale.id });
    const db = server.app.db;
    // Closing the server (what SIGTERM does) parks its runs before the database closes.
    await server.close();
    server = undefined;
    for (const id of [runId, stale.id]) {
      expect(await db.workflowRun.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: "pending",
        worker_id: null,
      });
    }
  });

  it("never lets a second process execute a run whose lease is alive", async () => {
    const executor = scriptedExecutor();
    server = await startTestServer({ executorFactory: executor.factory });
    const runId = await createRun(server);
    await executor.reached(runId);
    // A second manager on the same database, as a second server process would have.
    const { RunManager } = await import("../src/server/domain/workflow/RunManager.js");
    const other = scriptedExecutor();
    const rival = new RunManager({
      db: server.app.db,
      hub: server.app.services.hub,
      catalog: server.app.services.catalog,
      executorFactory: other.factory,
      workerId: "rival",
    });
    expect(await rival.recover()).toBe(0);
    // The claim is one conditional UPDATE, and it matches nothing while the lease lives.
    await rival.enqueue(runId, "resume");
    expect(other.calls).toEqual([]);
    expect(
      (await server.app.db.workflowRun.findUniqueOrThrow({ where: { id: runId } })).worker_id,
    ).toBe(server.app.services.manager.workerId);
    executor.release(runId);
  });
});
