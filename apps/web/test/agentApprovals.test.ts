import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { GATED_TEMPLATE, scriptGate } from "./helpers/scriptGate.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await server?.close();
  server = undefined;
});

async function connect(s: TestServer, token?: string) {
  const client = new Client({ name: "agent", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), {
    requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** Calls a tool; answers its JSON, or throws the tool's error text. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { type: string; text: string }[])[0]?.text ?? "";
  if (result.isError) throw new Error(text);
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON a tool answers
  return JSON.parse(text) as any;
}

/** A gated run whose one step is running, and an MCP client holding that run's token. */
async function runningStep(s: TestServer, gate: string) {
  const run = (
    await s.api("/api/workflow-executions", {
      body: {
        project_id: s.projectId,
        workflow_definition_id: s.definitionId,
        args: { featureName: gate },
      },
    })
  ).body.data;
  await scriptGate(s.projectDir).reached(gate);
  const agent = await connect(s, s.app.runTokens.issue(run.id));
  return { run, agent };
}

const stepOf = async (s: TestServer, runId: string) =>
  (await s.api(`/api/workflow-executions/${runId}`)).body.data.steps[0];

describe("request_approval: an agent asks a person from inside its step", () => {
  it("shows the step waiting, and answers approved with the person's comment once approved on the board", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const s = server;
    const { run, agent } = await runningStep(s, "a");
    const events: unknown[] = [];
    const off = s.app.services.hub.subscribe((event) => {
      if (event.type === "workflow.step.approval") events.push(event.data.status);
    });

    const asked = await call(agent, "request_approval", {
      message: "Deploy to staging?",
      wait_seconds: 0,
    });
    expect(asked).toMatchObject({ status: "pending", message: "Deploy to staging?" });
    const waiting = await stepOf(s, run.id);
    expect(waiting.status).toBe("waiting");
    // A board opened after the request reads it from the run list and the run alike.
    const request = { id: asked.approval_id, message: "Deploy to staging?" };
    expect(waiting.approval_request).toEqual(request);
    const card = (await s.api(`/api/workflow-executions?project_id=${s.projectId}`)).body.data.find(
      (r: { id: string }) => r.id === run.id,
    );
    expect(card.steps).toEqual([
      expect.objectContaining({ id: waiting.id, status: "waiting", approval_request: request }),
    ]);
    expect((await s.api(`/api/workflow-executions/${run.id}`)).body.data.status).toBe("running");

    // The agent waits in a bounded call while a person approves on the board.
    const decided = call(agent, "get_approval", {
      approval_id: asked.approval_id,
      wait_seconds: 50,
    });
    const approved = await s.api(
      `/api/workflow-executions/${run.id}/approvals/${waiting.step_id}`,
      {
        body: { approved: true, comment: "Go ahead" },
      },
    );
    expect(approved.status).toBe(200);
    expect(await decided).toEqual({
      approval_id: asked.approval_id,
      status: "approved",
      message: "Deploy to staging?",
      comment: "Go ahead",
    });
    expect((await stepOf(s, run.id)).status).toBe("running");
    off();
    expect(events).toEqual(["requested", "approved"]);
    scriptGate(s.projectDir).release("a");
  });

  it("answers rejected when a person rejects it through the approve tool", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const s = server;
    const { run, agent } = await runningStep(s, "b");
    const board = await connect(s);
    const pending = call(agent, "request_approval", { message: "Drop the table?" });
    let step = await stepOf(s, run.id);
    while (step.status !== "waiting") step = await stepOf(s, run.id);
    await call(board, "approve", {
      run_id: run.id,
      approval_id: step.step_id,
      approved: false,
      comment: "No",
    });
    expect(await pending).toMatchObject({ status: "rejected", comment: "No" });
    scriptGate(s.projectDir).release("b");
  });

  it("ends an open request with its step, and refuses bad input, a run with no running step and the board's own clients", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const s = server;
    const { run, agent } = await runningStep(s, "c");
    await expect(call(agent, "request_approval", { message: "  " })).rejects.toThrow(
      /must not be empty/,
    );
    await expect(
      call(agent, "request_approval", { message: "x", wait_seconds: 3600 }),
    ).rejects.toThrow(/wait_seconds/);
    await expect(call(agent, "request_approval", { message: "x", extra: 1 })).rejects.toThrow(
      /extra/,
    );
    await expect(
      call(agent, "get_approval", { approval_id: "not-a-request", wait_seconds: 0 }),
    ).rejects.toThrow("NOT_FOUND: No approval request not-a-request of this run");
    const board = await connect(s);
    const boardTools = (await board.listTools()).tools.map((tool) => tool.name);
    expect(boardTools).not.toContain("request_approval");

    const asked = await call(agent, "request_approval", { message: "Merge?", wait_seconds: 0 });
    const outcome = call(agent, "get_approval", {
      approval_id: asked.approval_id,
      wait_seconds: 50,
    });
    scriptGate(s.projectDir).release("c");
    expect(await outcome).toMatchObject({ status: "expired" });
    let done = (await s.api(`/api/workflow-executions/${run.id}`)).body.data;
    while (done.status === "running")
      done = (await s.api(`/api/workflow-executions/${run.id}`)).body.data;
    expect(done.status).toBe("completed");
    await expect(call(agent, "request_approval", { message: "More?" })).rejects.toThrow(
      /^RUN_STATE_CHANGED: Run \w+ has no running step/,
    );
  });
});
