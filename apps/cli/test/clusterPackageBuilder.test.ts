import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  RestateExecutor,
  RestateRuns,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
} from "@phaseboard/restate-backend";
import { restateServerBinary } from "@phaseboard/restate-backend/testing";
import { tempDir } from "@phaseboard/test-kit";
import { FileRunStore, loadTemplate, type RunHost } from "@phaseboard/workflow-engine";
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
    `\n!!! SKIPPING the 3-node package builder test: restate-server is not installed (${binary.missing}).\n`,
  );
}

let cluster: LocalRestateCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function template(identifier: string) {
  const loaded = await loadTemplate(join(definitions, `${identifier}.ts`));
  if (!loaded.ok) throw new Error(`the shipped ${identifier} template must load`);
  return loaded;
}

// Four packages need nothing; lib needs a and b; app needs lib and c.
const GRAPH: Record<string, string[]> = {
  a: [],
  b: [],
  c: [],
  d: [],
  lib: ["a", "b"],
  app: ["lib", "c"],
};

/** Polls `check` for up to 90 s (each check may spawn restatectl, slow on a busy machine). */
async function waitFor(check: () => boolean | Promise<boolean>, explain: () => string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(explain());
}

describe.skipIf("missing" in binary)("the package builder on a 3-node cluster", () => {
  // Retried once, as the other leader kill: on a loaded 2-core machine the failover has,
  // rarely, outlasted the waits. A build that runs twice fails both attempts.
  it("builds every package as a child run of its own, each build once, with replication 2, when the builder's partition leader is killed -9 mid-build", {
    retry: 1,
    timeout: 240_000,
  }, async () => {
    const nodes = new LocalRestateCluster({
      dir: join(tempDir("cluster"), "nodes"),
      portOffset: await freePortOffset(),
    });
    cluster = nodes;
    await nodes.start();
    const endpoint = await serveRestateEndpoint();
    const project = tempDir("cluster-packages");
    writeFileSync(
      join(project, "packages.json"),
      JSON.stringify(Object.entries(GRAPH).map(([name, dependsOn]) => ({ name, dependsOn }))),
    );
    for (const name of Object.keys(GRAPH))
      mkdirSync(join(project, "packages", name), { recursive: true });
    const builds: string[] = [];
    // Builds wait here until the leader is killed, so the kill lands mid-build.
    const hold = join(project, "hold");
    writeFileSync(hold, "");
    const builder = await template("package-builder");
    const run = {
      runId: "builder",
      snapshot: builder.snapshot,
      ...(builder.bundle !== undefined && { bundle: builder.bundle }),
      args: {
        packagesFile: "packages.json",
        concurrency: 3,
        build: `while [ -e '${hold}' ]; do sleep 0.05; done; mkdir -p out && echo built > out/done`,
        test: "test -f out/done",
        attempts: 2,
        retryDelay: "10ms",
      },
    };
    await registerDeployment(nodes.adminUrl, `http://127.0.0.1:${endpoint.port}`);
    // Submitted first to learn which node leads its partition; the executor's start below
    // submits the same key again, which starts nothing new and attaches.
    await new RestateRuns(nodes.ingressUrl).submit({
      ...run,
      projectPath: project,
      workerId: "w-builder",
    });
    let victim: string | undefined;
    const seen: string[] = [];
    await waitFor(
      async () => {
        victim = await nodes.leaderOf("PhaseboardRun", "builder", seen);
        return victim !== undefined;
      },
      () => `the builder's invocation never ran on a node: ${seen.slice(-2).join("\n")}`,
    );
    // Worker and server talk to a node that survives.
    const survivor = nodes.nodeNames().findIndex((name) => name !== victim) + 1;
    const ports = nodePorts(survivor, nodes.offset);
    const ingress = `http://127.0.0.1:${ports.ingress}`;
    const worker = new StepWorker({
      ingressUrl: ingress,
      workerId: "w-builder",
      stateDir: join(project, ".worker"),
      pollIntervalMs: 20,
      concurrency: 4,
      onJob: (event) => {
        if (event.phase === "started") builds.push(`${event.job.runId}:${event.job.stepKey}`);
      },
    });
    // What the server does for ctx.run: each child's own record, its template pinned.
    const store = new FileRunStore(project);
    const children: { runId: string; parentRunId: string }[] = [];
    const host: RunHost = {
      loadTemplate: (reference) => template(reference),
      createChildRun: async ({ parentRunId, template: loaded, args }) => {
        const runId = `${parentRunId}.${String(args.name)}`;
        store.pinRun(runId, {
          snapshot: loaded.snapshot,
          ...(loaded.bundle !== undefined && { bundle: loaded.bundle }),
          args,
          parentRunId,
        });
        children.push({ runId, parentRunId });
        return { runId };
      },
    };
    const ended = new Map<string, string>();
    try {
      await worker.start();
      const executor = new RestateExecutor({
        ingress,
        admin: `http://127.0.0.1:${ports.admin}`,
        worker: "w-builder",
        projectPath: project,
        host,
        eventPollMs: 100,
        observer: {
          onRunStatus: ({ runId, status }) => {
            if (status !== "running") ended.set(runId, status);
          },
        },
      });
      const done = executor.start(run).done;
      await waitFor(
        () => builds.some((job) => job.endsWith(":build-1")),
        () => `no child build started: ${builds.join(",")}`,
      );
      const pid = nodes.status().find((node) => node.name === victim)?.pid;
      if (pid === undefined) throw new Error(`no pid for ${victim}`);
      process.kill(pid, "SIGKILL");
      rmSync(hold);
      const outcome = await done;
      expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
      expect(
        [...((outcome.result as { built: string[] } | undefined)?.built ?? [])].sort(),
      ).toEqual(["a", "app", "b", "c", "d", "lib"]);
      // One child run per package, each built and tested once on the worker.
      expect(children.map((child) => child.runId).sort()).toEqual(
        Object.keys(GRAPH)
          .map((name) => `builder.${name}`)
          .sort(),
      );
      expect(builds.filter((job) => job.endsWith(":build-1")).sort()).toEqual(
        Object.keys(GRAPH)
          .map((name) => `builder.${name}:build-1`)
          .sort(),
      );
      expect(new Set(builds).size).toBe(builds.length);
      // The board heard each child end.
      for (const child of children) {
        for (let i = 0; i < 200 && !ended.has(child.runId); i++) {
          await new Promise((done) => setTimeout(done, 50));
        }
        expect(ended.get(child.runId), child.runId).toBe("completed");
      }
    } finally {
      if (existsSync(hold)) rmSync(hold);
      await worker.stop();
      await endpoint.close();
    }
  });
});
