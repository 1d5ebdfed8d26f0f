import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
const receivers: Server[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const receiver of receivers.splice(0)) {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

const SHIP_TEMPLATE = `name: Ship
phases: [review, ship]
steps:
  - { id: sign-off, name: Sign off, phase: review, type: approval, message: Ship it? }
  - { id: push, phase: ship, type: script, command: echo shipped }
`;

/** A webhook receiver on loopback answering each request with the next of `answers`. */
async function receiver(answers: Array<number | "hang">) {
  const received: Array<{ body: unknown }> = [];
  const hanging: ServerResponse[] = [];
  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      received.push({ body: JSON.parse(text) });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)];
      if (answer === "hang") {
        hanging.push(response);
        return;
      }
      response.writeHead(answer ?? 200).end("ok");
    });
  });
  receivers.push(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, hanging };
}

function notifyConfig(projectDir: string, lines: string) {
  writeFileSync(join(projectDir, ".agent", "phaseboard.yaml"), `notify:\n${lines}`);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition never held");
}

async function startRun(s: TestServer, args: Record<string, unknown> = {}) {
  const created = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: s.definitionId,
      name: "Ship 1.0",
      args,
    },
  });
  expect(created.status).toBe(201);
  return created.body.data.id as string;
}

const deliveries = (s: TestServer, runId: string) =>
  s.api(`/api/workflow-executions/${runId}/webhook-deliveries`);

describe("run notifications", () => {
  it("delivers to a receiver that fails twice once it answers, recording every attempt", async () => {
    const hook = await receiver([500, 500, 200]);
    server = await startTestServer({
      integrations: { webhookRetryDelaysMs: [20, 40, 80] },
    });
    const s = server;
    notifyConfig(s.projectDir, `  - url: ${hook.url}\n    events: [completed]\n`);
    const runId = await startRun(s, { featureName: "search" });
    const list = await until(
      () => deliveries(s, runId),
      (r) => r.body.data[0]?.status === "delivered",
    );
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      event: "completed",
      url: hook.url,
      format: "json",
      attempts: 3,
      last_status: 200,
      last_error: null,
    });
    expect(hook.received).toHaveLength(3);
    expect(hook.received[2]?.body).toMatchObject({
      type: "run.completed",
      event: "completed",
      execution_id: runId,
      project_id: s.projectId,
      run_name: "Ship 1.0",
    });
    expect(JSON.stringify(hook.received[2]?.body)).toContain(`run=${runId}`);
  });

  it("never holds a run up for a receiver that hangs, and tells the board it waits", async () => {
    const hook = await receiver(["hang"]);
    server = await startTestServer({
      templates: { "ship.yaml": SHIP_TEMPLATE },
      integrations: { webhookRetryDelaysMs: [], webhookTimeoutMs: 60_000 },
    });
    const s = server;
    notifyConfig(s.projectDir, `  - url: ${hook.url}\n    format: slack\n`);
    const socket = await openSocket(`${s.url}/ws`);
    const runId = await startRun(s);
    await until(
      () => s.api(`/api/workflow-executions/${runId}`),
      (r) => r.body.data.status === "waiting",
    );
    await until(
      async () => hook.hanging.length,
      (n) => n === 1,
    );
    expect(hook.received[0]?.body).toEqual({
      text: expect.stringMatching(/Ship 1\.0.*: Waiting for approval: Ship it\?$/),
    });
    // The receiver has not answered, and the run goes on regardless.
    const approved = await s.api(`/api/workflow-executions/${runId}/approvals/sign-off`, {
      body: { approved: true },
    });
    expect(approved.status).toBe(200);
    await until(
      () => s.api(`/api/workflow-executions/${runId}`),
      (r) => r.body.data.status === "completed",
    );
    expect(hook.hanging[0]?.writableEnded).toBe(false);
    const events = await socket.waitFor(
      (message) =>
        message.type === "workflow.execution.notification" && message.data.event === "completed",
    );
    expect(events.data).toMatchObject({ execution_id: runId, run_name: "Ship 1.0" });
    const waiting = socket.messages.find(
      (message) =>
        message.type === "workflow.execution.notification" && message.data.event === "waiting",
    );
    expect(waiting?.data.message).toBe("Waiting for approval: Ship it?");
    socket.socket.close();
    const list = (await deliveries(s, runId)).body.data;
    expect(list.map((d: { event: string }) => d.event)).toEqual(["waiting", "completed"]);
    expect(list[0]).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("refuses to post to the server itself, and a URL that is not http(s) is a config error", async () => {
    server = await startTestServer({ integrations: { webhookRetryDelaysMs: [] } });
    const s = server;
    notifyConfig(s.projectDir, `  - url: ${s.url}/api/health\n`);
    const runId = await startRun(s, { featureName: "search" });
    const list = await until(
      () => deliveries(s, runId),
      (r) => r.body.data.some((d: { event: string }) => d.event === "completed"),
    );
    expect(list.body.data[0]).toMatchObject({
      status: "failed",
      attempts: 0,
      last_error: "the URL points at this Phaseboard server itself; not sent",
    });

    notifyConfig(s.projectDir, "  - url: file:///etc/passwd\n");
    const project = (await s.api(`/api/projects/${s.projectId}`)).body.data;
    expect(project.config_error.message).toContain(
      "notify[0].url: expected an http:// or https:// URL",
    );
  });
});
