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

  it("refuses a non-loopback --host without PHASEBOARD_TOKEN, in one line with exit 1", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["serve", "--port", "0", "--host", "0.0.0.0"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/HOST=0\.0\.0\.0 exposes Phaseboard.*PHASEBOARD_TOKEN/);
  });
});
