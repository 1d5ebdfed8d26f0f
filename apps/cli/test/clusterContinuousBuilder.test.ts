import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  RestateExecutor,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
} from "@phaseboard/restate-backend";
import { restateServerBinary } from "@phaseboard/restate-backend/testing";
import { tempDir } from "@phaseboard/test-kit";
import { FileRunStore, loadTemplate, type RunHost } from "@phaseboard/workflow-engine";
import { afterEach, describe, expect, it } from "vitest";
import { freePortOffset, LocalRestateCluster } from "../src/cluster/LocalRestateCluster.js";

const definitions = join(
  resolve(import.meta.dirname, "..", "..", ".."),
  ".agent",
  "workflows",
  "definitions",
);
const binary = restateServerBinary();
if ("missing" in binary) {
  console.warn(
    `\n!!! SKIPPING the 3-node continuous builder test: restate-server is not installed (${binary.missing}).\n`,
  );
}

let cluster: LocalRestateCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function until(what: string, check: () => boolean, explain = () => ""): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${explain()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe.skipIf("missing" in binary)("the continuous builder on a 3-node cluster", () => {
  it("builds what signals hand it, once each, across runs it continues as, and drains", {
    timeout: 240_000,
  }, async () => {
    const nodes = new LocalRestateCluster({
      dir: join(tempDir("cluster"), "nodes"),
      portOffset: await freePortOffset(),
    });
    cluster = nodes;
    await nodes.start();
    const endpoint = await serveRestateEndpoint({ identityKeys: [nodes.identity().publicKey] });
    const project = tempDir("cluster-continuous");
    const built = join(project, "built.log");
    const jobs: string[] = [];
    const worker = new StepWorker({
      ingressUrl: nodes.ingressUrl,
      workerId: "w-continuous",
      stateDir: join(project, ".worker"),
      concurrency: 2,
      onJob: (event) => jobs.push(`${event.phase} ${event.job.runId} ${event.job.stepKey}`),
    });
    // What the server does for continueAsNew: the successor's own record, pinned like its
    // predecessor's template with the arguments it carries.
    const store = new FileRunStore(project);
    const successors: string[] = [];
    const host: RunHost = {
      loadTemplate: async () => {
        throw new Error("the continuous builder starts no child runs");
      },
      createChildRun: async () => {
        throw new Error("the continuous builder starts no child runs");
      },
      createContinuationRun: async ({ previousRunId, args }) => {
        const runId = `builder-${successors.length + 2}`;
        const { parentRunId: _parent, ...snapshot } = store.readSnapshot(previousRunId);
        const bundle = store.readBundle(previousRunId);
        store.pinRun(runId, {
          snapshot,
          ...(bundle.expected && bundle.text !== undefined && { bundle: bundle.text }),
          args,
        });
        successors.push(runId);
        return { runId };
      },
    };
    const ended = new Map<string, string>();
    try {
      await registerDeployment(nodes.adminUrl, `http://127.0.0.1:${endpoint.port}`);
      await worker.start();
      const executor = new RestateExecutor({
        ingress: nodes.ingressUrl,
        admin: nodes.adminUrl,
        worker: "w-continuous",
        projectPath: project,
        host,
        eventPollMs: 100,
        observer: {
          onRunStatus: ({ runId, status }) => {
            if (status !== "running") ended.set(runId, status);
          },
        },
      });
      const loaded = await loadTemplate(join(definitions, "continuous-builder.ts"));
      if (!loaded.ok) throw new Error("the shipped continuous-builder template must load");
      // As the server pins them: validated, with the template's defaults filled in.
      const args = {
        build: 'echo "$PACKAGE" >> built.log',
        continueEvery: 2,
        queue: [],
        done: 0,
        failed: 0,
      };
      store.pinRun("builder-1", {
        snapshot: loaded.snapshot,
        ...(loaded.bundle !== undefined && { bundle: loaded.bundle }),
        args,
      });
      const first = executor.start({
        runId: "builder-1",
        snapshot: loaded.snapshot,
        ...(loaded.bundle !== undefined && { bundle: loaded.bundle }),
        args,
      });
      let firstOutcome = "";
      first.done.then(
        (outcome) => {
          firstOutcome = JSON.stringify(outcome);
        },
        (error: unknown) => {
          firstOutcome = String(error);
        },
      );
      const lines = () =>
        existsSync(built) ? readFileSync(built, "utf8").trim().split("\n").filter(Boolean) : [];
      await executor.signal("builder-1", "newPackages", { packages: ["a", "b", "c"] });
      const explain = () =>
        `jobs ${jobs.join(", ")}; ended ${JSON.stringify([...ended])}; successors ${successors.join(", ")}; first ${firstOutcome}`;
      await until("a, b and c built", () => lines().length >= 3, explain);
      // Signals reach the newest run of the chain, whichever run they are sent to.
      await executor.signal("builder-1", "newPackages", "d e");
      await until("d and e built", () => lines().length >= 5, explain);
      await executor.signal("builder-1", "drain");
      expect((await first.done).status).toBe("completed");
      const last = successors.at(-1);
      if (!last) throw new Error("the builder never continued as a new run");
      await until(`${last} to end`, () => ended.has(last));
      expect(ended.get(last)).toBe("completed");
      // Every package built exactly once, over runs of at most two builds each.
      expect([...lines()].sort()).toEqual(["a", "b", "c", "d", "e"]);
      expect(successors.length).toBeGreaterThanOrEqual(2);
    } finally {
      await worker.stop();
      await endpoint.close();
    }
  });
});
