import { rmSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import {
  RestateRuns,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
} from "@phaseboard/restate-backend";
import { fakePnpm, restateServerBinary } from "@phaseboard/restate-backend/testing";
import { tempDir } from "@phaseboard/test-kit";
import { loadTemplate } from "@phaseboard/workflow-engine";
import { afterEach, describe, expect, it } from "vitest";
import {
  freePortOffset,
  LocalRestateCluster,
  nodePorts,
} from "../src/cluster/LocalRestateCluster.js";

const definitions = join(
  resolve(import.meta.dirname, "..", "..", ".."),
  ".agent",
  "workflows",
  "definitions",
);
const binary = restateServerBinary();
if ("missing" in binary) {
  console.warn(
    `\n!!! SKIPPING the 3-node kill test: restate-server is not installed (${binary.missing}).\n`,
  );
}

let cluster: LocalRestateCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** Polls `check` for up to 90 s (each check may spawn restatectl, slow on a busy machine). */
async function waitFor(check: () => boolean | Promise<boolean>, explain: () => string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(explain());
}

describe.skipIf("missing" in binary)("the restate backend on a 3-node cluster", () => {
  // Retried once: on a loaded 2-core machine the cluster's failover has, rarely, outlasted
  // this test's waits. A run that fails, or a step that runs twice, fails both attempts.
  it("finishes a run when its partition leader is killed -9 mid-step, running no step twice", {
    retry: 1,
    timeout: 240_000,
  }, async () => {
    const nodes = new LocalRestateCluster({
      dir: join(tempDir("cluster"), "nodes"),
      portOffset: await freePortOffset(),
    });
    cluster = nodes;
    await nodes.start();
    // The endpoint serves only calls the cluster's nodes signed, whichever node leads.
    const endpoint = await serveRestateEndpoint({ identityKeys: [nodes.identity().publicKey] });
    const project = tempDir("cluster-project");
    const pnpm = fakePnpm(project);
    writeFileSync(pnpm.hold, "");
    let worker: StepWorker | undefined;
    // The worker runs in this process: its steps find the stand-in pnpm on this PATH.
    const path = process.env.PATH;
    process.env.PATH = `${join(project, "bin")}${delimiter}${path}`;
    try {
      await registerDeployment(nodes.adminUrl, `http://127.0.0.1:${endpoint.port}`);
      const yaml = await loadTemplate(join(definitions, "simple-pipeline.yaml"));
      if (!yaml.ok) throw new Error("the shipped template must load");
      await new RestateRuns(nodes.ingressUrl).submit({
        runId: "run-kill-leader",
        projectPath: project,
        workerId: "w-cluster",
        snapshot: yaml.snapshot,
        args: { environment: "dev" },
      });
      let victim: string | undefined;
      const seen: string[] = [];
      await waitFor(
        async () => {
          victim = await nodes.leaderOf("PhaseboardRun", "run-kill-leader", seen);
          return victim !== undefined;
        },
        () => `the run's invocation never ran on a node: ${seen.slice(-2).join("\n")}`,
      );
      // Worker and client talk to a node that survives.
      const survivor = nodes.nodeNames().findIndex((name) => name !== victim) + 1;
      const ingress = `http://127.0.0.1:${nodePorts(survivor, nodes.offset).ingress}`;
      worker = new StepWorker({
        ingressUrl: ingress,
        workerId: "w-cluster",
        stateDir: join(project, "worker"),
        pollIntervalMs: 50,
      });
      await worker.start();
      await waitFor(
        () => pnpm.starts().includes("build"),
        () => `build never started: ${pnpm.starts().join(",")}`,
      );
      const pid = nodes.status().find((node) => node.name === victim)?.pid;
      if (pid === undefined) throw new Error(`no pid for ${victim}`);
      process.kill(pid, "SIGKILL");
      rmSync(pnpm.hold);
      const outcome = await new RestateRuns(ingress).result("run-kill-leader");
      expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
      expect(pnpm.starts()).toEqual(["install", "build", "test", "deploy"]);
    } finally {
      process.env.PATH = path;
      await worker?.stop();
      await endpoint.close();
    }
  });
});
