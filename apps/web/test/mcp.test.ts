import { mkdirSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { GATED_TEMPLATE, scriptGate } from "./helpers/scriptGate.js";
import { FEATURE_TEMPLATE, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await server?.close();
  server = undefined;
});

// The smallest valid PNG: a 1×1 transparent pixel.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

async function connect(s: TestServer, headers: Record<string, string> = {}) {
  const client = new Client({ name: "test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), {
    requestInit: { headers },
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

async function waitForStatus(client: Client, runId: string, status: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await call(client, "get_run", { run_id: runId });
    if (run.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the MCP server at /mcp", () => {
  it("lists every tool with a JSON Schema, and templates with their argument schemas", async () => {
    server = await startTestServer();
    const client = await connect(server);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "approve",
      "attach_artifact",
      "cancel_run",
      "comment",
      "get_run",
      "list_runs",
      "list_templates",
      "pause_run",
      "read_step_log",
      "resume_run",
      "send_signal",
      "start_run",
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.description, tool.name).toBeTruthy();
    }
    const templates = await call(client, "list_templates");
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatchObject({
      identifier: "implement-feature",
      phases: ["research", "implement", "test"],
      args_schema: { required: ["featureName"] },
    });
  });

  it("starts a run, reads it and its step log, comments on it and its step, and attaches a PNG", async () => {
    server = await startTestServer();
    const client = await connect(server);
    const started = await call(client, "start_run", {
      template: "implement-feature",
      args: { featureName: "login" },
      name: "Login page",
    });
    expect(started).toMatchObject({ name: "Login page" });
    const run = await waitForStatus(client, started.id, "completed");
    expect(run.steps.map((step: { key: string }) => step.key)).toEqual(["research", "build"]);
    const listed = await call(client, "list_runs", { status: ["completed"] });
    expect(listed.map((r: { id: string }) => r.id)).toContain(started.id);

    const research = run.steps[0];
    const log = await call(client, "read_step_log", { step_id: research.id, type: "output" });
    expect(log.content).toContain("hi");

    await call(client, "comment", { run_id: started.id, text: "Looks good" });
    await call(client, "comment", {
      run_id: started.id,
      step_id: research.id,
      text: "On the step",
    });
    writeFileSync(join(server.projectDir, "shot.png"), PNG);
    const artifact = await call(client, "attach_artifact", {
      run_id: started.id,
      step_id: research.id,
      path: "shot.png",
    });
    expect(artifact).toMatchObject({
      name: "shot.png",
      mime_type: "image/png",
      file_type: "image",
    });

    const detail = (await server.api(`/api/workflow-executions/${started.id}`)).body.data;
    expect(detail.comments.map((c: { text: string }) => c.text)).toEqual(
      expect.arrayContaining(["Looks good", "On the step"]),
    );
    const step = (await server.api(`/api/workflow-steps/${research.id}`)).body.data;
    expect(step.artifacts).toHaveLength(1);

    const resource = await client.readResource({ uri: `phaseboard://runs/${started.id}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({
      id: started.id,
      status: "completed",
    });
    const summary = await client.readResource({
      uri: `phaseboard://steps/${research.id}/logs/output`,
    });
    expect((summary.contents[0] as { text: string }).text).toContain("hi");
  });

  it("pauses, resumes and cancels a run, and answers what a run cannot take with an error", async () => {
    server = await startTestServer({ templates: { "gated.yaml": GATED_TEMPLATE } });
    const gate = scriptGate(server.projectDir);
    const client = await connect(server);
    const { id } = await call(client, "start_run", {
      template: "gated",
      args: { featureName: "g1" },
    });
    await gate.reached("g1");
    expect((await call(client, "pause_run", { run_id: id })).status).toBe("paused");
    expect((await call(client, "resume_run", { run_id: id })).status).toBe("pending");
    expect((await call(client, "cancel_run", { run_id: id })).status).toBe("cancelled");
    await expect(
      call(client, "send_signal", { run_id: "ckxmissing000000000000000", name: "go" }),
    ).rejects.toThrow(/^NOT_FOUND: /);
    await expect(call(client, "send_signal", { run_id: id, name: "no spaces" })).rejects.toThrow(
      /Input validation error.*letters, digits/s,
    );
    await expect(call(client, "pause_run", { run_id: id })).rejects.toThrow(
      "RUN_NOT_PAUSABLE: Cannot pause a run that is cancelled",
    );
  });

  it("answers bad arguments with the validation message and changes nothing", async () => {
    server = await startTestServer();
    const client = await connect(server);
    await expect(
      call(client, "start_run", {
        template: "implement-feature",
        args: { featureName: "x" },
        colour: "red",
      }),
    ).rejects.toThrow(/Input validation error.*colour/s);
    await expect(call(client, "start_run", { args: {} })).rejects.toThrow(
      /Input validation error.*template/s,
    );
    await expect(
      call(client, "start_run", { template: "implement-feature", args: {} }),
    ).rejects.toThrow(/^VALIDATION_FAILED: .*featureName/);
    await expect(call(client, "start_run", { template: "nope" })).rejects.toThrow(
      /^NOT_FOUND: No template nope/,
    );
    await expect(call(client, "get_run", { run_id: "ckxmissing000000000000000" })).rejects.toThrow(
      /^NOT_FOUND: No workflow run/,
    );
    expect(await server.app.db.workflowRun.count()).toBe(0);
    expect(await server.app.db.workflowComment.count()).toBe(0);
  });

  it("refuses a file outside the run's folder", async () => {
    server = await startTestServer();
    const client = await connect(server);
    const { id } = await call(client, "start_run", {
      template: "implement-feature",
      args: { featureName: "x" },
    });
    const run = await waitForStatus(client, id, "completed");
    const outside = join(tempDir("outside"), "secret.png");
    writeFileSync(outside, PNG);
    await expect(
      call(client, "attach_artifact", { run_id: id, step_id: run.steps[0].id, path: outside }),
    ).rejects.toThrow(/^VALIDATION_FAILED: path: .* is outside the run's working folder/);
    await expect(
      call(client, "attach_artifact", { run_id: id, step_id: run.steps[0].id, path: "../../x" }),
    ).rejects.toThrow(/^(NOT_FOUND|VALIDATION_FAILED): path:/);
    expect(await server.app.db.workflowArtifact.count()).toBe(0);
  });

  it("requires the token when one is set, and refuses a foreign Origin with 403", async () => {
    const token = "a-token-of-sixteen-chars";
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: token } });
    await expect(connect(server)).rejects.toThrow(/401|access token/);
    await expect(connect(server, { authorization: "Bearer wrong-token-xxxxxxxx" })).rejects.toThrow(
      /401|not valid/,
    );
    await expect(
      connect(server, { authorization: `Bearer ${token}`, origin: "http://evil.example" }),
    ).rejects.toThrow(/403|evil/);
    const client = await connect(server, { authorization: `Bearer ${token}` });
    expect(await call(client, "list_templates")).toHaveLength(1);
  });

  it("is behind the request gate: a foreign Origin or Host gets the gate's own refusal", async () => {
    const token = "a-token-of-sixteen-chars";
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: token } });
    const initialize = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-03-26",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    });
    const { port } = new URL(server.url);
    // node:http, since fetch does not let a caller choose the Host header.
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port: Number(port),
            method: "POST",
            path: "/mcp",
            headers: {
              host: `127.0.0.1:${port}`,
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              authorization: `Bearer ${token}`,
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.on("error", reject);
        req.end(initialize);
      });
    const foreignOrigin = await post({ origin: "http://evil.example" });
    expect(foreignOrigin.status).toBe(403);
    expect(JSON.parse(foreignOrigin.text).error.code).toBe("ORIGIN_NOT_ALLOWED");
    const rebound = await post({ host: "evil.example" });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).error.code).toBe("HOST_NOT_ALLOWED");
    expect((await post({ "content-type": "text/plain" })).status).toBe(415);
    expect((await post({})).status).toBe(200);
  });

  it("lets a run token through to /mcp only, and checks it when the server has no token", async () => {
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: "a-token-of-sixteen-chars" } });
    const runToken = server.app.runTokens.issue("no-such-run");
    const api = await fetch(`${server.url}/api/projects`, {
      headers: { authorization: `Bearer ${runToken}` },
    });
    expect(api.status).toBe(401);
    await expect(connect(server, { authorization: `Bearer ${runToken}` })).rejects.toThrow(
      /401|not valid/,
    );
    await server.close();

    server = await startTestServer();
    await expect(
      connect(server, { authorization: `Bearer ${server.app.runTokens.issue("x")}x` }),
    ).rejects.toThrow(/401|not valid/);
  });

  it("keeps a run token to its own project: other projects' runs are out of reach", async () => {
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: "a-token-of-sixteen-chars" } });
    const board = await connect(server, { authorization: "Bearer a-token-of-sixteen-chars" });
    const other = tempDir("other");
    mkdirSync(join(other, ".agent", "workflows", "definitions"), { recursive: true });
    writeFileSync(
      join(other, ".agent", "workflows", "definitions", "implement-feature.yaml"),
      FEATURE_TEMPLATE,
    );
    const project = await server.api("/api/projects", { body: { name: "other", path: other } });
    const foreign = await call(board, "start_run", {
      project_id: project.body.data.id,
      template: "implement-feature",
      args: { featureName: "theirs" },
    });
    const own = await call(board, "start_run", {
      project_id: server.projectId,
      template: "implement-feature",
      args: { featureName: "ours" },
    });
    await waitForStatus(board, own.id, "completed");

    const agent = await connect(server, {
      authorization: `Bearer ${server.app.runTokens.issue(own.id)}`,
    });
    const tools = (await agent.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain("set_state");
    const runs = await call(agent, "list_runs");
    expect(runs.map((r: { id: string }) => r.id)).toEqual([own.id]);
    await expect(call(agent, "get_run", { run_id: foreign.id })).rejects.toThrow(
      `NOT_FOUND: No workflow run ${foreign.id}`,
    );
    await expect(call(agent, "cancel_run", { run_id: foreign.id })).rejects.toThrow(/^NOT_FOUND/);
    await expect(
      call(agent, "start_run", { project_id: project.body.data.id, template: "implement-feature" }),
    ).rejects.toThrow(`NOT_FOUND: No project ${project.body.data.id}`);
    await expect(call(agent, "comment", { run_id: foreign.id, text: "sneaky" })).rejects.toThrow(
      /^NOT_FOUND/,
    );

    await call(agent, "comment", { text: "Done with the login page" });
    await call(agent, "set_state", { state: { progress: "3/4" } });
    const detail = (await server.api(`/api/workflow-executions/${own.id}`)).body.data;
    expect(detail.comments).toEqual([
      expect.objectContaining({ text: "Done with the login page", comment_type: "agent" }),
    ]);
    expect(detail.state).toEqual({ progress: "3/4" });
    const theirs = (await server.api(`/api/workflow-executions/${foreign.id}`)).body.data;
    expect(theirs.comments).toEqual([]);
    expect(theirs.status).not.toBe("cancelled");

    await expect(
      connect(server, { authorization: `Bearer ${server.app.runTokens.issue(own.id)}x` }),
    ).rejects.toThrow(/401|not valid/);
  });
});
