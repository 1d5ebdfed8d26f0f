import { createServer } from "node:net";
import { join } from "node:path";
import { runProcess, tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";

const webDir = join(import.meta.dirname, "..");
const tsx = join(webDir, "node_modules", ".bin", "tsx");

/** Starts the real entry point (what `pnpm start` runs) with a temp home and project. */
function startEntryPoint(env: Record<string, string>) {
  const home = tempDir("home");
  const project = tempDir("project");
  return runProcess(tsx, ["src/server/main.ts"], {
    cwd: webDir,
    env: {
      ...process.env,
      PHASEBOARD_HOME: home,
      PHASEBOARD_PROJECT: project,
      PORT: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
  });
}

describe("the start command", () => {
  it("migrates a new database and answers /api/health", async () => {
    const server = startEntryPoint({});
    const [, url] = await server.waitForOutput(/running at (http:\/\/\S+)/);
    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { status: string; database: { migration: string } };
    };
    expect(body.data.status).toBe("ok");
    expect(body.data.database.migration).toMatch(/^\d{14}_\w+$/);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("ends with one clear line and exit 1 when the port is already in use", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = startEntryPoint({ PORT: String(port) });
      expect(await server.exited).toBe(1);
      expect(server.stderr().trim()).toBe(
        `phaseboard: port ${port} on 127.0.0.1 is already in use: stop the other process or set PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });

  it("ends with one clear line and exit 1 when DATABASE_URL cannot be written", async () => {
    const dir = tempDir("blocked");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "file"), "");
    const server = startEntryPoint({ DATABASE_URL: `file:${join(dir, "file", "pb.db")}` });
    expect(await server.exited).toBe(1);
    expect(server.stderr().trim()).toBe(
      `phaseboard: Cannot create the database at ${join(dir, "file", "pb.db")}: a parent of that path is a file, not a folder`,
    );
  });

  it("ends with one clear line naming host:port and exit 1 when PostgreSQL is unreachable", async () => {
    // A port that was free a moment ago: nothing answers there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const server = startEntryPoint({
      DATABASE_URL: `postgresql://phaseboard:secret@127.0.0.1:${port}/board`,
    });
    expect(await server.exited).toBe(1);
    expect(server.stderr().trim()).toBe(
      `phaseboard: Cannot reach PostgreSQL at 127.0.0.1:${port}/board: connection refused (is the server running, on that port?)`,
    );
  });

  it("ends with one clear line naming the address and exit 1 when the restate backend is unreachable", async () => {
    // A port that was free a moment ago: nothing answers there, and the server must not
    // fall back to running runs locally.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const server = startEntryPoint({
      PHASEBOARD_BACKEND: "restate",
      PHASEBOARD_RESTATE_ADMIN: `http://127.0.0.1:${port}`,
      PHASEBOARD_RESTATE_INGRESS: `http://127.0.0.1:${port}`,
    });
    expect(await server.exited).toBe(1);
    expect(server.stderr().trim()).toMatch(
      new RegExp(
        `^phaseboard: Restate admin API at http://127\\.0\\.0\\.1:${port}/health is unreachable`,
      ),
    );
    expect(server.stdout()).not.toContain("running at");
  });

  it("refuses to listen beyond loopback without PHASEBOARD_TOKEN", async () => {
    const server = startEntryPoint({ HOST: "0.0.0.0" });
    expect(await server.exited).toBe(1);
    expect(server.stderr().trim()).toMatch(
      /^phaseboard: HOST=0\.0\.0\.0 exposes Phaseboard .*PHASEBOARD_TOKEN/,
    );
  });

  it("refuses a PORT that is not a port number", async () => {
    const server = startEntryPoint({ PORT: "80000" });
    expect(await server.exited).toBe(1);
    expect(server.stderr().trim()).toBe("phaseboard: PORT must be between 0 and 65535");
  });
});
