import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
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
  return response.body.data as { id: string };
}

describe("WebSocket /ws", () => {
  it("pushes workflow.* events carrying project_id, in order", async () => {
    server = await startTestServer({ queueOnly: true });
    const client = await openSocket(`${server.url}/ws`);
    await client.waitFor((m) => m.type === "hello");
    const run = await createRun(server);
    await server.api(`/api/workflow-executions/${run.id}/pause`, { body: {} });
    await server.api(`/api/workflow-executions/${run.id}/comments`, { body: { text: "hi" } });
    await client.waitFor((m) => m.type === "workflow.comment.created");
    const events = client.messages.filter((m) => m.type.startsWith("workflow."));
    expect(events.map((m) => m.type)).toEqual([
      "workflow.execution.created",
      "workflow.execution.status_changed",
      "workflow.comment.created",
    ]);
    for (const event of events)
      expect(event.data).toMatchObject({ project_id: server.projectId, execution_id: run.id });
    expect(events[1]?.data.status).toBe("paused");
    client.socket.close();
  });

  it("delivers only the subscribed project's events", async () => {
    server = await startTestServer();
    const other = await server.api("/api/projects", {
      body: { name: "other", path: tempDir("other") },
    });
    const client = await openSocket(`${server.url}/ws`);
    client.socket.send(JSON.stringify({ type: "subscribe", project_id: other.body.data.id }));
    await client.waitFor((m) => m.type === "subscribed");
    await createRun(server);
    // A ping answered after the run was created proves the run's event was not queued for us.
    client.socket.send(JSON.stringify({ type: "ping", id: "after-create" }));
    const pong = await client.waitFor((m) => m.type === "pong");
    expect(pong.data).toEqual({ id: "after-create" });
    expect(client.messages.filter((m) => m.type.startsWith("workflow."))).toEqual([]);
    client.socket.close();
  });

  it("answers a message that is not JSON, or unknown, with an error and keeps the socket open", async () => {
    server = await startTestServer();
    const client = await openSocket(`${server.url}/ws`);
    client.socket.send("{nope");
    const error = await client.waitFor((m) => m.type === "error");
    expect(error.data).toEqual({ code: "BAD_REQUEST", message: "Messages must be JSON objects" });
    client.socket.send(JSON.stringify({ type: "shutdown" }));
    await client.waitFor((m) => m.type === "error" && m.data.code === "VALIDATION_FAILED");
    client.socket.send(JSON.stringify({ type: "ping" }));
    await client.waitFor((m) => m.type === "pong");
    client.socket.close();
  });

  it("drops a client that stops reading, and keeps serving the others", async () => {
    server = await startTestServer({ wsMaxBufferedBytes: 64 * 1024 });
    const slow = await openSocket(`${server.url}/ws`);
    const fast = await openSocket(`${server.url}/ws`);
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = new Promise<void>(
      (resolve) => server?.app.services.hub && slow.socket.once("close", () => resolve()),
    );
    const text = "x".repeat(16 * 1024);
    let sent = 0;
    const hub = server.app.services.hub;
    const listenersBefore = hub.listenerCount;
    while (hub.listenerCount === listenersBefore && sent < 20_000) {
      hub.publish({
        type: "workflow.step.progress",
        data: {
          execution_id: "r",
          project_id: server.projectId,
          step_id: "s",
          step_key: "k",
          output: text,
        },
      });
      sent++;
      if (sent % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.listenerCount).toBe(listenersBefore - 1);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
    fast.socket.send(JSON.stringify({ type: "ping", id: "still-here" }));
    await fast.waitFor((m) => m.type === "pong");
    fast.socket.close();
  });

  it("requires the token on the upgrade when one is configured", async () => {
    const token = "ws-token-0123456789";
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: token } });
    await expect(openSocket(`${server.url}/ws`)).rejects.toThrow("upgrade refused with 401");
    await expect(openSocket(`${server.url}/ws?token=wrong-token-value`)).rejects.toThrow(
      "upgrade refused with 401",
    );
    const client = await openSocket(`${server.url}/ws?token=${token}`);
    await client.waitFor((m) => m.type === "hello");
    client.socket.close();
    const bearer = await openSocket(`${server.url}/ws`, { authorization: `Bearer ${token}` });
    bearer.socket.close();
  });
});

describe("token enforcement over HTTP", () => {
  it("answers 401 without or with a wrong token, and serves with the right one", async () => {
    const token = "http-token-0123456789";
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: token } });
    const missing = await fetch(`${server.url}/api/projects`);
    expect(missing.status).toBe(401);
    const wrong = await fetch(`${server.url}/api/projects`, {
      headers: { authorization: "Bearer nope" },
    });
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(
      "The access token is not valid",
    );
    const create = await fetch(`${server.url}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        project_id: server.projectId,
        workflow_definition_id: server.definitionId,
        args: { featureName: "x" },
      }),
    });
    expect(create.status).toBe(401);
    expect(await server.app.db.workflowRun.count()).toBe(0);
    expect((await server.api("/api/projects")).status).toBe(200);
  });
});
