import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { openSocket } from "./helpers/openSocket.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

const token = "0123456789abcdef-request-gate";

/**
 * One raw HTTP/1.1 request: `node:http` sends the Host, Origin and request target given,
 * where fetch would replace or refuse them.
 */
function raw(
  server: TestServer,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: Number(port),
        method: options.method ?? "GET",
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Opens a WebSocket and answers the upgrade's status (101 when it opened). */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), { headers });
    socket.once("open", () => {
      socket.close();
      resolve(101);
    });
    socket.once("unexpected-response", (req, res) => {
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    socket.once("error", reject);
  });
}

async function queuedRun(server: TestServer): Promise<string> {
  const response = await server.api("/api/workflow-executions", {
    body: {
      project_id: server.projectId,
      workflow_definition_id: server.definitionId,
      args: { featureName: "gate" },
    },
  });
  expect(response.status).toBe(201);
  return response.body.data.id as string;
}

describe("the request gate on the real server", () => {
  let server: TestServer;
  let origin: string;
  const bearer = { authorization: `Bearer ${token}` };
  beforeEach(async () => {
    server = await startTestServer({ env: { PHASEBOARD_TOKEN: token }, queueOnly: true });
    origin = server.url;
  });
  afterEach(async () => server?.close());

  it("refuses encoded and absolute-form spellings of API routes without the token", async () => {
    const { port } = new URL(server.url);
    for (const path of [
      "/%61pi/projects",
      "/ap%69/projects",
      "/a%70i/docs/json",
      "/%61pi/workflow-executions",
      "//api/projects",
      `http://127.0.0.1:${port}/api/projects`,
    ]) {
      const response = await raw(server, { path });
      expect([400, 401], `${path}: ${response.text}`).toContain(response.status);
      expect(response.text).not.toContain(server.projectDir);
    }
    expect((await raw(server, { path: "/%61pi/projects", headers: bearer })).status).toBe(200);
  });

  it("refuses an encoded /ws upgrade without the token", async () => {
    expect(await upgrade(`${server.url}/%77s`)).toBe(401);
    expect(await upgrade(`${server.url}/%77s`, bearer)).toBe(101);
  });

  it("refuses a forged Host, answers loopback names including [::1]", async () => {
    const { port } = new URL(server.url);
    for (const host of ["evil.test", `evil.test:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const response = await raw(server, { path: "/api/projects", headers: { host, ...bearer } });
      expect(response.status, host).toBe(403);
      expect(JSON.parse(response.text).error.code).toBe("HOST_NOT_ALLOWED");
    }
    // The board's page and the health probe are refused too: a rebinding page gets nothing.
    expect((await raw(server, { path: "/", headers: { host: "evil.test" } })).status).toBe(403);
    expect(
      (await raw(server, { path: "/api/health", headers: { host: "evil.test" } })).status,
    ).toBe(403);
    for (const host of [`[::1]:${port}`, `localhost:${port}`, "127.0.0.1"]) {
      const response = await raw(server, { path: "/api/projects", headers: { host, ...bearer } });
      expect(response.status, host).toBe(200);
    }
    expect(await upgrade(`${server.url}/ws`, { ...bearer, host: "evil.test" })).toBe(403);
  });

  it("refuses cross-site POSTs (text/plain, form, multipart, null or foreign Origin) and changes nothing", async () => {
    const runId = await queuedRun(server);
    const attempts: { headers: Record<string, string>; body?: string; code: string }[] = [
      // What a <form> or fetch(no-cors) on another page sends.
      {
        headers: { origin: "http://127.0.0.1:9", "content-type": "text/plain" },
        body: "{}",
        code: "ORIGIN_NOT_ALLOWED",
      },
      {
        headers: { origin: "null", "content-type": "application/x-www-form-urlencoded" },
        body: "a=1",
        code: "ORIGIN_NOT_ALLOWED",
      },
      {
        headers: { origin: "http://evil.test", "content-type": "multipart/form-data; boundary=x" },
        body: "--x--\r\n",
        code: "ORIGIN_NOT_ALLOWED",
      },
      { headers: { origin: "null" }, code: "ORIGIN_NOT_ALLOWED" },
      // Without an Origin, a body must still be JSON.
      { headers: { "content-type": "text/plain" }, body: "{}", code: "UNSUPPORTED_MEDIA_TYPE" },
      {
        headers: { "content-type": "multipart/form-data; boundary=x" },
        body: "--x--\r\n",
        code: "UNSUPPORTED_MEDIA_TYPE",
      },
    ];
    for (const action of ["cancel", "discard", "pause"]) {
      for (const attempt of attempts) {
        const response = await raw(server, {
          method: "POST",
          path: `/api/workflow-executions/${runId}/${action}`,
          headers: { ...bearer, ...attempt.headers },
          ...(attempt.body !== undefined && { body: attempt.body }),
        });
        expect(
          response.status,
          `${action} ${JSON.stringify(attempt.headers)}`,
        ).toBeGreaterThanOrEqual(403);
        expect(JSON.parse(response.text).error.code).toBe(attempt.code);
      }
    }
    const run = await server.app.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("pending");
    // The board's own page may.
    const cancel = await raw(server, {
      method: "POST",
      path: `/api/workflow-executions/${runId}/cancel`,
      headers: { ...bearer, origin, "content-type": "application/json" },
      body: "{}",
    });
    expect(cancel.status).toBe(200);
  });

  it("refuses a WebSocket from a foreign or null Origin, accepts the board's own", async () => {
    expect(await upgrade(`${server.url}/ws`, { ...bearer, origin: "http://127.0.0.1:9" })).toBe(
      403,
    );
    expect(await upgrade(`${server.url}/ws`, { ...bearer, origin: "null" })).toBe(403);
    expect(await upgrade(`${server.url}/ws`, { ...bearer, origin })).toBe(101);
    // Command-line clients send no Origin.
    const client = await openSocket(`${server.url}/ws`, bearer);
    await client.waitFor((message) => message.type === "hello");
    client.socket.close();
  });

  it("takes ?token= only on /ws and artifact downloads, and both credentials must agree", async () => {
    const elsewhere = await raw(server, { path: `/api/projects?token=${token}` });
    expect(elsewhere.status).toBe(401);
    expect(JSON.parse(elsewhere.text).error.message).toMatch(/accepted only on \/ws/);
    expect(await upgrade(`${server.url}/ws?token=${token}`)).toBe(101);
    const artifact = await raw(server, { path: `/api/artifacts/none?token=${token}` });
    expect(JSON.parse(artifact.text).error.code).toBe("NOT_FOUND");
    // Header and query together: both must be the token.
    expect(await upgrade(`${server.url}/ws?token=${token}`, bearer)).toBe(101);
    expect(await upgrade(`${server.url}/ws?token=wrong`, bearer)).toBe(401);
    expect(
      await upgrade(`${server.url}/ws?token=${token}`, { authorization: "Bearer wrong" }),
    ).toBe(401);
  });
});

describe("request logging", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("never writes a ?token= value to the log", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startTestServer({
      env: { PHASEBOARD_TOKEN: token },
      queueOnly: true,
      logger: { level: "debug", stream },
    });
    await upgrade(`${server.url}/ws?token=${token}`);
    await raw(server, { path: `/api/projects?%74oken=${token}` });
    await raw(server, { path: `/?token=${token}` });
    const log = lines.join("");
    expect(log).toContain("/ws?token=[redacted]");
    expect(log).toContain("/api/projects?%74oken=[redacted]");
    expect(log).not.toContain(token);
  });
});
