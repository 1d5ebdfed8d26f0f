import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { loadTemplate } from "@phaseboard/workflow-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestateExecutor } from "../src/RestateExecutor.js";
import { RestateRuns } from "../src/RestateRuns.js";
import { RestateUnreachableError } from "../src/RestateUnreachableError.js";
import { checkRestateReachable, registerDeployment } from "../src/restateAdmin.js";
import { type RestateEndpointServer, serveRestateEndpoint } from "../src/serveRestateEndpoint.js";
import {
  fakePnpm,
  freePort,
  type RestateNode,
  restateServerBinary,
  startRestateNode,
} from "./restateNode.js";
import { startWorker, waitFor } from "./workerProcess.js";

const repositoryRoot = resolve(import.meta.dirname, "..", "..", "..");
const definitions = join(repositoryRoot, ".agent", "workflows", "definitions");
const binary = restateServerBinary();
if ("missing" in binary) {
  console.warn(
    `\n!!! SKIPPING the restate backend tests: the restate-server binary is not installed (${binary.missing}).\n`,
  );
}

describe.skipIf("missing" in binary)("the restate backend on one node", () => {
  let node: RestateNode;
  let endpoint: RestateEndpointServer;
  let runs: RestateRuns;
  let base: string;

  beforeAll(async () => {
    if ("missing" in binary) return;
    base = mkdtempSync(join(tmpdir(), "phaseboard-restate-node-"));
    node = await startRestateNode(binary.path, base);
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    runs = new RestateRuns(node.ingress);
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await endpoint?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("runs the shipped YAML and TypeScript examples to completion with a worker", async () => {
    const project = tempDir("restate-project");
    const pnpm = fakePnpm(project);
    const worker = await startWorker(
      node.ingress,
      "w-examples",
      join(project, "worker"),
      join(project, "bin"),
    );
    try {
      const yaml = await loadTemplate(join(definitions, "simple-pipeline.yaml"));
      const code = await loadTemplate(join(definitions, "implement-feature.ts"));
      if (!yaml.ok || !code.ok) throw new Error("the shipped templates must load");
      await runs.submit({
        runId: "run-yaml",
        projectPath: project,
        workerId: "w-examples",
        snapshot: yaml.snapshot,
        args: { environment: "staging" },
      });
      await runs.submit({
        runId: "run-code",
        projectPath: project,
        workerId: "w-examples",
        snapshot: code.snapshot,
        ...(code.bundle !== undefined && { bundle: code.bundle }),
        args: { featureName: "dark mode", requirements: "a toggle" },
      });
      const [yamlOutcome, codeOutcome] = await Promise.all([
        runs.result("run-yaml"),
        runs.result("run-code"),
      ]);
      expect(yamlOutcome.status, JSON.stringify(yamlOutcome)).toBe("completed");
      expect(codeOutcome.status, JSON.stringify(codeOutcome)).toBe("completed");
      // simple-pipeline: install, build, test, deploy; implement-feature: test, build.
      expect(pnpm.starts().sort()).toEqual(["build", "build", "deploy", "install", "test", "test"]);
      // Every step ran on the worker, once.
      const started = worker
        .output()
        .split("\n")
        .filter((line) => line.startsWith("started"));
      expect(started.filter((line) => line.includes("run-yaml"))).toHaveLength(4);
      // Three agent steps (the stand-in claude) and two script steps.
      expect(started.filter((line) => line.includes("run-code"))).toHaveLength(5);
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it("journals function steps, durable timers, signals taken in arrival order and approvals", async () => {
    const project = tempDir("restate-steered");
    const template = await loadTemplate(join(import.meta.dirname, "fixtures", "steered.ts"));
    if (!template.ok) throw new Error(`the fixture must load: ${JSON.stringify(template)}`);
    await runs.submit({
      runId: "run-steered",
      projectPath: project,
      workerId: "nobody",
      snapshot: template.snapshot,
      ...(template.bundle !== undefined && { bundle: template.bundle }),
      args: {},
    });
    // Sent before the run waits: each wait takes the next untaken one.
    await runs.signal("run-steered", "go", "first");
    await runs.signal("run-steered", "go", "second");
    await runs.signal("run-steered", "go", "third");
    await runs.approve("run-steered", "ship", { approved: true, by: "tester" });
    const outcome = await runs.result("run-steered");
    expect(outcome).toMatchObject({
      status: "completed",
      result: { prepared: { prepared: true }, first: "first", second: "second", approved: true },
    });
    // Resumed after each wait, the engine replayed the function step from its memo.
    expect((globalThis as { __steeredPrepareCalls?: number }).__steeredPrepareCalls).toBe(1);
  });

  it("replays a run from the journal when its engine endpoint goes away mid-step, without running a step again", async () => {
    const project = tempDir("restate-replay");
    const pnpm = fakePnpm(project);
    writeFileSync(pnpm.hold, "");
    const worker = await startWorker(
      node.ingress,
      "w-replay",
      join(project, "worker"),
      join(project, "bin"),
    );
    try {
      const yaml = await loadTemplate(join(definitions, "simple-pipeline.yaml"));
      if (!yaml.ok) throw new Error("the shipped template must load");
      await runs.submit({
        runId: "run-replay",
        projectPath: project,
        workerId: "w-replay",
        snapshot: yaml.snapshot,
        args: { environment: "production" },
      });
      await waitFor(
        () => pnpm.starts().includes("build"),
        () => `build never started: ${pnpm.starts().join(",")}`,
      );
      // The engine's process dies while the worker still runs `build`; a new one takes over
      // and must rebuild the run from the journal alone.
      const port = endpoint.port;
      await endpoint.close();
      endpoint = await serveRestateEndpoint({ port });
      rmSync(pnpm.hold);
      const outcome = await runs.result("run-replay");
      expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
      expect(pnpm.starts()).toEqual(["install", "build", "test", "deploy"]);
      // The replay re-issued the board events it had sent; none reached the feed twice.
      const completed = (await runs.events("run-replay", 0))
        .filter((event) => event.kind === "step_completed")
        .map((event) => event.data.stepKey);
      expect(completed).toEqual(["install-deps", "build-app", "run-tests", "deploy"]);
    } finally {
      await worker.stop();
    }
  });

  it("reruns only the interrupted step when the worker is killed -9 mid-step and started again", async () => {
    const project = tempDir("restate-kill");
    const pnpm = fakePnpm(project);
    writeFileSync(pnpm.hold, "");
    const stateDir = join(project, "worker");
    const bin = join(project, "bin");
    let worker = await startWorker(node.ingress, "w-kill", stateDir, bin);
    try {
      const yaml = await loadTemplate(join(definitions, "simple-pipeline.yaml"));
      if (!yaml.ok) throw new Error("the shipped template must load");
      await runs.submit({
        runId: "run-kill",
        projectPath: project,
        workerId: "w-kill",
        snapshot: yaml.snapshot,
        args: { environment: "dev" },
      });
      await waitFor(
        () => pnpm.starts().includes("build"),
        () => `build never started: ${pnpm.starts().join(",")}\n${worker.output()}`,
      );
      await worker.kill();
      rmSync(pnpm.hold);
      worker = await startWorker(node.ingress, "w-kill", stateDir, bin);
      expect(worker.output()).toContain("requeued=1");
      const outcome = await runs.result("run-kill");
      expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
      expect(pnpm.starts()).toEqual(["install", "build", "build", "test", "deploy"]);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe.skipIf("missing" in binary)("the server's restate executor", () => {
  let node: RestateNode;
  let endpoint: RestateEndpointServer;
  let base: string;

  beforeAll(async () => {
    if ("missing" in binary) return;
    base = mkdtempSync(join(tmpdir(), "phaseboard-restate-executor-"));
    node = await startRestateNode(binary.path, base);
    endpoint = await serveRestateEndpoint();
    // Registered twice (a restarted server, a second worker): the second changes nothing.
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await endpoint?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("continues an agent step's session when its worker is killed -9 mid-step and started again", async () => {
    const runs = new RestateRuns(node.ingress);
    const project = tempDir("restate-agent");
    const template = join(project, "agent.yaml");
    writeFileSync(
      template,
      "name: Agent\nphases: [p]\nsteps:\n  - { id: think, phase: p, type: agent, agent: claude, prompt: think }\n",
    );
    const loaded = await loadTemplate(template);
    if (!loaded.ok) throw new Error("the template must load");
    const record = join(project, "record.json");
    const stateDir = join(project, "worker");
    const bin = join(project, "bin");
    // First life: the agent reports its session, then never ends.
    let worker = await startWorker(node.ingress, "w-agent", stateDir, bin, {
      FAKE_AGENT_SCENARIO: "hang",
      FAKE_AGENT_SESSION_ID: "session-of-first-life",
      FAKE_AGENT_RECORD: record,
    });
    try {
      await runs.submit({
        runId: "run-agent",
        projectPath: project,
        workerId: "w-agent",
        snapshot: loaded.snapshot,
        args: {},
      });
      await waitFor(
        async () =>
          (await runs.jobs("w-agent")).some((job) => job.sessionId === "session-of-first-life"),
        () => `the agent's session was never recorded:\n${worker.output()}`,
      );
      await worker.kill();
      worker = await startWorker(node.ingress, "w-agent", stateDir, bin, {
        FAKE_AGENT_RECORD: record,
      });
      const outcome = await runs.result("run-agent");
      expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
      const second = JSON.parse(readFileSync(record, "utf8")) as { call: { resume?: string } };
      expect(second.call.resume).toBe("session-of-first-life");
    } finally {
      await worker.stop();
    }
  });

  it("starts a pinned run on the worker it names, cancel ends it as cancelled, and an unloadable snapshot fails once", async () => {
    const project = tempDir("restate-executor");
    const pnpm = fakePnpm(project);
    const worker = await startWorker(
      node.ingress,
      "w-exec",
      join(project, "worker"),
      join(project, "bin"),
    );
    const statuses: string[] = [];
    const executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "w-exec",
      projectPath: project,
      observer: { onRunStatus: ({ status }) => void statuses.push(status) },
    });
    try {
      const yaml = await loadTemplate(join(definitions, "simple-pipeline.yaml"));
      if (!yaml.ok) throw new Error("the shipped template must load");
      const input = {
        definition: yaml.definition,
        snapshot: yaml.snapshot,
        args: { environment: "dev" },
      };
      const finished = executor.start({ runId: "exec-done", ...input });
      expect((await finished.done).status).toBe("completed");
      expect(statuses).toEqual(["running"]);

      writeFileSync(pnpm.hold, "");
      const held = executor.start({ runId: "exec-cancel", ...input });
      await waitFor(
        () => pnpm.starts().filter((start) => start === "build").length === 2,
        () => `the second build never started: ${pnpm.starts().join(",")}`,
      );
      await held.cancel();
      expect((await held.done).status).toBe("cancelled");
      // The cancel reached the worker: it stopped `build` while `hold` still exists.
      await waitFor(
        () => worker.output().includes("completed exec-cancel build-app failed"),
        () => `the worker never stopped the cancelled step:\n${worker.output()}`,
      );

      // A code template pinned without its bundle cannot be rebuilt anywhere: the run
      // fails once with a clear error instead of being retried forever.
      const code = await loadTemplate(join(definitions, "implement-feature.ts"));
      if (!code.ok) throw new Error("the shipped template must load");
      const unbuildable = await executor.start({
        runId: "exec-no-bundle",
        snapshot: code.snapshot,
        args: { featureName: "x", requirements: "y" },
      }).done;
      expect(unbuildable.status).toBe("failed");
      expect(unbuildable.error?.message).toContain(
        "run exec-no-bundle cannot load its pinned template",
      );
    } finally {
      rmSync(pnpm.hold, { force: true });
      await worker.stop();
    }
  });
});

describe("Restate addresses", () => {
  it("refuse with an error naming the address when nothing answers there", async () => {
    const port = await freePort();
    const admin = `http://127.0.0.1:${port}`;
    const error = await checkRestateReachable({ admin, ingress: admin }, { timeoutMs: 2000 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RestateUnreachableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});
