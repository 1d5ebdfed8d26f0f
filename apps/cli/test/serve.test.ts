import { describe, expect, it } from "vitest";
import { phaseboard, sandbox, startPhaseboard } from "./phaseboardBinary.js";

describe("phaseboard serve", () => {
  it("starts the server for the project, answers /api/health and stops cleanly on SIGTERM", async () => {
    const box = sandbox();
    expect((await phaseboard(box, ["init"])).code).toBe(0);
    const serve = startPhaseboard(box, ["serve", "--port", "0"]);
    const [, url, project] = await serve.waitForOutput(
      /running at (http:\/\/\S+) \(project (.+)\)/,
    );
    expect(project).toBe(box.project);
    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(200);
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  });

  it("serves a folder outside any git repository in place, and says so", async () => {
    const box = sandbox();
    const serve = startPhaseboard(box, ["serve", "--port", "0"]);
    const [, project] = await serve.waitForOutput(
      /running at http:\/\/\S+ \(project (.+)\)/,
      90_000,
    );
    expect(project).toBe(box.project);
    expect(serve.stdout()).toContain(
      `${box.project} is not in a git repository: runs work in this folder in place`,
    );
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  });

  it("refuses a second serve on a port in use, naming the port and the server there", async () => {
    const box = sandbox();
    const first = startPhaseboard(box, ["serve", "--port", "0"]);
    const [, url] = await first.waitForOutput(/running at (http:\/\/\S+) /, 90_000);
    const port = new URL(url ?? "").port;
    const second = await phaseboard(box, ["serve", "--port", port]);
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `phaseboard: port ${port} on 127.0.0.1 is already in use by the Phaseboard server at ${url} (pid ${first.child.pid}, project ${box.project}): open it there, or pass --port with a free port`,
    );
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });

  it("refuses a non-loopback --host without PHASEBOARD_TOKEN, in one line with exit 1", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["serve", "--port", "0", "--host", "0.0.0.0"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/HOST=0\.0\.0\.0 exposes Phaseboard.*PHASEBOARD_TOKEN/);
  });
});
