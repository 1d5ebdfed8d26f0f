import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { loadOrCreateRequestIdentity, RestateRuns } from "@phaseboard/restate-backend";
import {
  freePort,
  restateServerBinary,
  startRestateNode,
} from "@phaseboard/restate-backend/testing";
import { tempDir } from "@phaseboard/test-kit";
import { loadTemplate } from "@phaseboard/workflow-engine";
import { describe, expect, it } from "vitest";
import { phaseboard, sandbox, startPhaseboard } from "./phaseboardBinary.js";

const binary = restateServerBinary();

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
    const badKey = await phaseboard(box, [
      "worker",
      "--endpoint-port",
      "9080",
      "--identity-key",
      "ssh-ed25519 AAAA",
    ]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain("--identity-key ssh-ed25519 AAAA: expected the cluster's");
  });
});

describe.skipIf("missing" in binary)("phaseboard worker on a restate node", () => {
  it("serves the engine, registers it, runs a pinned run's steps and stops on SIGTERM", async () => {
    if ("missing" in binary) return;
    const identity = loadOrCreateRequestIdentity(tempDir("worker-keys"));
    const node = await startRestateNode(binary.path, tempDir("worker-node"), {
      identityKeyFile: identity.privateKeyFile,
    });
    const box = sandbox();
    try {
      const endpointPort = await freePort();
      const worker = startPhaseboard(box, [
        "worker",
        "--id",
        "cli-box",
        "--ingress",
        node.ingress,
        "--admin",
        node.admin,
        "--endpoint-port",
        String(endpointPort),
        "--identity-key",
        identity.publicKey,
      ]);
      await worker.waitForOutput(/worker cli-box pulling step jobs.*\(signed calls only\)/, 60_000);
      const template = join(tempDir("worker-template"), "hello.yaml");
      writeFileSync(
        template,
        'name: Hello\nphases: [p]\nsteps:\n  - { id: hello, phase: p, type: script, command: "echo hello" }\n',
      );
      const loaded = await loadTemplate(template);
      if (!loaded.ok) throw new Error("the template must load");
      const runs = new RestateRuns(node.ingress);
      await runs.submit({
        runId: "cli-run",
        projectPath: box.project,
        workerId: "cli-box",
        snapshot: loaded.snapshot,
        args: {},
      });
      expect((await runs.result("cli-run")).status).toBe("completed");
      await worker.waitForOutput(/completed cli-run hello/);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    } finally {
      await node.stop();
    }
  }, 120_000);
});
