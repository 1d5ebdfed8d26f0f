import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePortOffset } from "../src/cluster/LocalRestateCluster.js";
import { phaseboard, type Sandbox, sandbox } from "./phaseboardBinary.js";

let box: Sandbox | undefined;
afterEach(() => {
  // A failed test must not leave Restate servers behind.
  for (const name of ["n1", "n2", "n3"]) {
    const pidFile = join(box?.phaseboardHome ?? "/nonexistent", "cluster", `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    try {
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
    } catch {
      // Already stopped.
    }
  }
  box = undefined;
});

/** A port offset under which all nine of the cluster's ports are free right now. */

type Status = {
  nodes: { name: string; running: boolean; member: boolean; pid?: number }[];
};

describe("phaseboard cluster", () => {
  it("brings up a 3-node Restate cluster under PHASEBOARD_HOME, sees 3 members, and takes it down", async () => {
    box = sandbox();
    box.env.PHASEBOARD_CLUSTER_PORT_OFFSET = String(await freePortOffset());
    const before = await phaseboard(box, ["cluster", "status", "--json"]);
    expect(before.code).toBe(0);
    expect((JSON.parse(before.stdout) as Status).nodes.map((node) => node.running)).toEqual([
      false,
      false,
      false,
    ]);

    const up = await phaseboard(box, ["cluster", "up"]);
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("cluster up: 3 nodes");
    expect(existsSync(join(box.phaseboardHome, "cluster", "n1.toml"))).toBe(true);
    // The nodes sign their calls to Phaseboard's endpoint; workers are told the key.
    const key = /request identity \(workers' --identity-key\): (publickeyv1_\w+)/.exec(
      up.stdout,
    )?.[1];
    expect(key).toBeDefined();

    const status = await phaseboard(box, ["cluster", "status", "--json"]);
    const nodes = (JSON.parse(status.stdout) as Status).nodes;
    expect((JSON.parse(status.stdout) as { identity_key: string }).identity_key).toBe(key);
    expect(nodes.map(({ name, running, member }) => ({ name, running, member }))).toEqual([
      { name: "n1", running: true, member: true },
      { name: "n2", running: true, member: true },
      { name: "n3", running: true, member: true },
    ]);
    const human = await phaseboard(box, ["cluster", "status"]);
    expect(human.stdout).toContain("3 of 3 nodes are cluster members");

    const down = await phaseboard(box, ["cluster", "down"]);
    expect(down.stdout.trim()).toBe("stopped n1, n2, n3");
    for (const node of nodes) expect(() => process.kill(node.pid as number, 0)).toThrow();
    const after = await phaseboard(box, ["cluster", "down"]);
    expect(after.stdout.trim()).toBe("the cluster was not running");
  }, 240_000);

  it("refuses a port offset that is not a small whole number, starting nothing", async () => {
    box = sandbox();
    const result = await phaseboard(box, ["cluster", "up"], {
      env: { PHASEBOARD_CLUSTER_PORT_OFFSET: "9999" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "phaseboard: PHASEBOARD_CLUSTER_PORT_OFFSET must be a whole number from 0 to 4000",
    );
    expect(existsSync(join(box.phaseboardHome, "cluster"))).toBe(false);
  });
});
