import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { phaseboard, sandbox } from "./phaseboardBinary.js";

/** A loopback port nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("phaseboard worker", () => {
  it("exits 1 naming the address when Restate does not answer", async () => {
    const box = sandbox();
    const port = await deadPort();
    const address = `http://127.0.0.1:${port}`;
    const result = await phaseboard(box, ["worker", "--ingress", address, "--admin", address]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Restate admin API at ${address}/health is unreachable`);
  });

  it("refuses a worker id that could escape its folder, and addresses that are not http(s)", async () => {
    const box = sandbox();
    const badId = await phaseboard(box, ["worker", "--id", "../../etc"]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('worker id "../../etc" is not valid');
    const badIngress = await phaseboard(box, ["worker", "--ingress", "127.0.0.1:8080"]);
    expect(badIngress.code).toBe(2);
    expect(badIngress.stderr).toContain("--ingress must be an http(s) address");
    const badPort = await phaseboard(box, ["worker", "--endpoint-port", "99999"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--endpoint-port must be a whole number from 1 to 65535");
  });
});
