import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { discoverServer } from "./discoverServer.js";

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A real HTTP server answering /api/health the way Phaseboard's does. */
async function healthyServer(): Promise<string> {
  server = createServer((request, response) => {
    response.writeHead(request.url === "/api/health" ? 200 : 404, {
      "content-type": "application/json",
    });
    response.end(JSON.stringify({ data: { status: "ok" } }));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

describe("discoverServer", () => {
  it("takes PHASEBOARD_URL as given, without a trailing slash", async () => {
    expect(await discoverServer({ PHASEBOARD_URL: "http://10.0.0.2:4100/" })).toEqual({
      url: "http://10.0.0.2:4100",
    });
  });

  it("finds the server that server.json names when its process lives and answers", async () => {
    const home = tempDir("home");
    const url = await healthyServer();
    writeFileSync(join(home, "server.json"), JSON.stringify({ url, pid: process.pid }));
    expect(await discoverServer({ PHASEBOARD_HOME: home })).toEqual({ url, pid: process.pid });
  });

  it("ignores a server.json left by a process that is gone", async () => {
    const home = tempDir("home");
    const url = await healthyServer();
    // Pids this high are beyond Linux's pid_max, so no process has it.
    writeFileSync(join(home, "server.json"), JSON.stringify({ url, pid: 2 ** 30 }));
    expect(await discoverServer({ PHASEBOARD_HOME: home })).toBeUndefined();
  });

  it("ignores a server.json whose server no longer answers, and a torn file", async () => {
    const home = tempDir("home");
    writeFileSync(
      join(home, "server.json"),
      JSON.stringify({ url: "http://127.0.0.1:9", pid: process.pid }),
    );
    expect(await discoverServer({ PHASEBOARD_HOME: home })).toBeUndefined();
    writeFileSync(join(home, "server.json"), '{"url": "http://127.0');
    expect(await discoverServer({ PHASEBOARD_HOME: home })).toBeUndefined();
  });
});
