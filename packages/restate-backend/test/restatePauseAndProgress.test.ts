import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import {
  FileRunStore,
  loadTemplate,
  type RunObserver,
  runPaths,
  type StepLogEvent,
} from "@phaseboard/workflow-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestateExecutor } from "../src/RestateExecutor.js";
import { RestateRuns } from "../src/RestateRuns.js";
import { StepWorker } from "../src/StepWorker.js";
import {
  fakePnpm,
  type NodeWithEndpoint,
  type RestateNode,
  restateServerBinary,
  startNodeWithEndpoint,
} from "./restateNode.js";
import { startWorker, waitFor } from "./workerProcess.js";

const repositoryRoot = resolve(import.meta.dirname, "..", "..", "..");
const definitions = join(repositoryRoot, ".agent", "workflows", "definitions");
const binary = restateServerBinary();

/** What the server's observer heard, in order. */
function recordingObserver() {
  const heard: string[] = [];
  const progress: { stepKey: string; event: StepLogEvent }[] = [];
  const observer: RunObserver = {
    onRunStatus: ({ status }) => void heard.push(`status ${status}`),
    onStepStarted: ({ stepKey }) => void heard.push(`started ${stepKey}`),
    onStepCompleted: ({ stepKey, status }) => void heard.push(`${status} ${stepKey}`),
    onStepProgress: ({ stepKey, event }) => {
      progress.push({ stepKey, event });
      heard.push(`progress ${stepKey} ${event.text ?? ""}`.trim());
    },
  };
  return { heard, progress, observer };
}

describe.skipIf("missing" in binary)(
  "pause, resume, live output and long-polls on the restate backend",
  () => {
    let node: RestateNode;
    let running: NodeWithEndpoint | undefined;

    beforeAll(async () => {
      if ("missing" in binary) return;
      running = await startNodeWithEndpoint(binary.path, "pause");
      node = running.node;
    }, 60_000);

    afterAll(async () => {
      await running?.close();
    });

    async function pipeline(project: string, runId: string) {
      const yaml = await loadTemplate(join(definitions, "simple-pipeline.yaml"));
      if (!yaml.ok) throw new Error("the shipped template must load");
      const input = { snapshot: yaml.snapshot, args: { environment: "dev" } };
      // What the server pins when it creates a run: resume reads it back.
      new FileRunStore(project).pinRun(runId, input);
      return { runId, definition: yaml.definition, ...input };
    }

    it("pause-now stops the worker's step, parks the run as paused, and resume runs only that step again", async () => {
      const project = tempDir("restate-pause-now");
      const pnpm = fakePnpm(project);
      const worker = await startWorker(
        node.ingress,
        "w-pause",
        join(project, "w"),
        join(project, "bin"),
      );
      const { heard, observer } = recordingObserver();
      const executor = new RestateExecutor({
        ingress: node.ingress,
        admin: node.admin,
        worker: "w-pause",
        projectPath: project,
        observer,
        eventPollMs: 50,
      });
      try {
        writeFileSync(pnpm.hold, "");
        const run = executor.start(await pipeline(project, "pause-now"));
        await waitFor(
          () => pnpm.starts().includes("build"),
          () => `build never started: ${pnpm.starts().join(",")}\n${worker.output()}`,
        );
        await run.pause({ now: true });
        expect((await run.done).status).toBe("paused");
        // The worker stopped `build` while `hold` still exists: its process group is gone.
        await waitFor(
          () => worker.output().includes("completed pause-now build-app failed"),
          () => `the worker never stopped the paused step:\n${worker.output()}`,
        );
        expect(pnpm.starts()).toEqual(["install", "build"]);

        rmSync(pnpm.hold);
        const resumed = executor.resume("pause-now");
        const outcome = await resumed.done;
        expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
        // Only the interrupted step ran again; the completed one came from the journal.
        expect(pnpm.starts()).toEqual(["install", "build", "build", "test", "deploy"]);
        expect(heard.filter((line) => line.startsWith("status"))).toEqual([
          "status running",
          "status running",
        ]);
        expect(heard.filter((line) => line === "completed install-deps")).toHaveLength(1);
        expect(heard.filter((line) => line === "started build-app")).toHaveLength(2);
      } finally {
        rmSync(pnpm.hold, { force: true });
        await worker.stop();
      }
    });

    it("pause without now lets the running step finish and parks the run before its next step", async () => {
      const project = tempDir("restate-pause-later");
      const pnpm = fakePnpm(project);
      const worker = await startWorker(
        node.ingress,
        "w-later",
        join(project, "w"),
        join(project, "bin"),
      );
      const executor = new RestateExecutor({
        ingress: node.ingress,
        admin: node.admin,
        worker: "w-later",
        projectPath: project,
        eventPollMs: 50,
      });
      try {
        writeFileSync(pnpm.hold, "");
        const run = executor.start(await pipeline(project, "pause-later"));
        await waitFor(
          () => pnpm.starts().includes("build"),
          () => `build never started: ${pnpm.starts().join(",")}`,
        );
        await run.pause();
        rmSync(pnpm.hold);
        expect((await run.done).status).toBe("paused");
        expect(pnpm.starts()).toEqual(["install", "build"]);
        const outcome = await executor.resume("pause-later").done;
        expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
        expect(pnpm.starts()).toEqual(["install", "build", "test", "deploy"]);
      } finally {
        rmSync(pnpm.hold, { force: true });
        await worker.stop();
      }
    });

    it("an agent step paused now continues its agent session when the run is resumed", async () => {
      const project = tempDir("restate-pause-agent");
      const template = join(project, "agent.yaml");
      writeFileSync(
        template,
        "name: Agent\nphases: [p]\nsteps:\n  - { id: think, phase: p, type: agent, agent: claude, prompt: think }\n",
      );
      const loaded = await loadTemplate(template);
      if (!loaded.ok) throw new Error("the template must load");
      const record = join(project, "record.json");
      // The stand-in agent reports its session, then never ends (each start records its call).
      const worker = await startWorker(node.ingress, "w-agent-pause", join(project, "w"), project, {
        FAKE_AGENT_SCENARIO: "hang",
        FAKE_AGENT_SESSION_ID: "session-before-pause",
        FAKE_AGENT_RECORD: record,
      });
      const runs = new RestateRuns(node.ingress);
      const executor = new RestateExecutor({
        ingress: node.ingress,
        admin: node.admin,
        worker: "w-agent-pause",
        projectPath: project,
        eventPollMs: 50,
      });
      const input = { snapshot: loaded.snapshot, args: {} };
      new FileRunStore(project).pinRun("pause-agent", input);
      try {
        const run = executor.start({ runId: "pause-agent", ...input });
        await waitFor(
          async () =>
            (await runs.jobs("w-agent-pause")).some(
              (job) => job.sessionId === "session-before-pause",
            ),
          () => `the agent's session was never recorded:\n${worker.output()}`,
        );
        await run.pause({ now: true });
        expect((await run.done).status).toBe("paused");
        rmSync(record);
        const resumed = executor.resume("pause-agent");
        await waitFor(
          () => existsSync(record),
          () => `the agent never started again:\n${worker.output()}`,
        );
        const second = JSON.parse(readFileSync(record, "utf8")) as { call: { resume?: string } };
        expect(second.call.resume).toBe("session-before-pause");
        await resumed.cancel();
        expect((await resumed.done).status).toBe("cancelled");
      } finally {
        await worker.stop();
      }
    });

    it("streams a step's lines to the observer and the server's events.jsonl while it runs, and caps a chatty step", async () => {
      const project = tempDir("restate-progress");
      const template = join(project, "talk.yaml");
      writeFileSync(
        template,
        [
          "name: Talk",
          "phases: [p]",
          "steps:",
          '  - { id: slow, phase: p, type: script, command: "for i in 1 2 3; do echo line-$i; sleep 0.4; done" }',
          '  - { id: chatty, phase: p, type: script, command: "seq 1 20000" }',
          "",
        ].join("\n"),
      );
      const loaded = await loadTemplate(template);
      if (!loaded.ok) throw new Error(`the template must load: ${JSON.stringify(loaded)}`);
      const worker = await startWorker(node.ingress, "w-progress", join(project, "w"), project);
      const { heard, progress, observer } = recordingObserver();
      const executor = new RestateExecutor({
        ingress: node.ingress,
        admin: node.admin,
        worker: "w-progress",
        projectPath: project,
        observer,
        eventPollMs: 50,
      });
      try {
        const outcome = await executor.start({
          runId: "progress",
          snapshot: loaded.snapshot,
          args: {},
        }).done;
        expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
        const slow = heard.filter((line) => line.includes(" slow"));
        // Live: the first line reached the board before the step completed.
        expect(slow.indexOf("progress slow line-1")).toBeGreaterThan(slow.indexOf("started slow"));
        expect(slow.indexOf("progress slow line-1")).toBeLessThan(slow.indexOf("completed slow"));
        expect(slow.filter((line) => line.startsWith("progress"))).toEqual([
          "progress slow line-1",
          "progress slow line-2",
          "progress slow line-3",
        ]);
        const logDir = runPaths(project, "progress").stepLogDir("slow");
        const lines = readFileSync(join(logDir, "events.jsonl"), "utf8").trim().split("\n");
        expect(lines.map((line) => (JSON.parse(line) as StepLogEvent).text)).toEqual([
          "line-1",
          "line-2",
          "line-3",
        ]);
        // 20 000 lines at once: a bounded number reach the cluster, and the board is told.
        const chatty = progress.filter((entry) => entry.stepKey === "chatty");
        expect(chatty.length).toBeLessThan(1000);
        expect(chatty.at(0)?.event.text).toBe("1");
        expect(
          chatty.some((entry) => /progress line\(s\) dropped/.test(entry.event.text ?? "")),
        ).toBe(true);
      } finally {
        await worker.stop();
      }
    });

    // Shorter than the long-poll's own timeout: a wake-up that never comes fails the test.
    it("an idle worker takes a job as soon as it is queued, from a long-poll rather than polling", {
      timeout: 30_000,
    }, async () => {
      const project = tempDir("restate-long-poll");
      const template = join(project, "one.yaml");
      writeFileSync(
        template,
        'name: One\nphases: [p]\nsteps:\n  - { id: hello, phase: p, type: script, command: "echo hi" }\n',
      );
      const loaded = await loadTemplate(template);
      if (!loaded.ok) throw new Error("the template must load");
      const started: string[] = [];
      // Neither interval elapses during the test: only the long-poll's wake-up can start the step.
      const worker = new StepWorker({
        ingressUrl: node.ingress,
        workerId: "w-long-poll",
        stateDir: join(project, "w"),
        pollIntervalMs: 600_000,
        jobWaitMs: 55_000,
        onJob: (event) => void started.push(`${event.phase} ${event.job.stepKey}`),
      });
      await worker.start();
      try {
        // Let every loop find the queue empty and wait on the long-poll.
        await waitFor(
          () => (worker as unknown as { waiting?: Promise<void> }).waiting !== undefined,
          () => "the worker never started its long-poll",
        );
        const runs = new RestateRuns(node.ingress);
        await runs.submit({
          runId: "long-poll",
          projectPath: project,
          workerId: "w-long-poll",
          snapshot: loaded.snapshot,
          args: {},
        });
        const outcome = await runs.result("long-poll");
        expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
        expect(started).toEqual(["started hello", "completed hello"]);
      } finally {
        await worker.stop();
      }
    });

    it("gives the steps a worker runs the run's variables from the server, such as its preview port", async () => {
      const project = tempDir("restate-env");
      const template = join(project, "port.yaml");
      writeFileSync(
        template,
        'name: Port\nphases: [p]\nsteps:\n  - { id: serve, phase: p, type: script, command: "echo port=$PHASEBOARD_PORT" }\n',
      );
      const loaded = await loadTemplate(template);
      if (!loaded.ok) throw new Error("the template must load");
      const worker = await startWorker(node.ingress, "w-env", join(project, "w"), project);
      const { progress, observer } = recordingObserver();
      const executor = new RestateExecutor({
        ingress: node.ingress,
        admin: node.admin,
        worker: "w-env",
        projectPath: project,
        observer,
        eventPollMs: 50,
        runEnvironment: async (runId) =>
          runId === "env"
            ? { PHASEBOARD_PORT: "41200", PHASEBOARD_PORTS: "41200-41209" }
            : undefined,
      });
      try {
        const outcome = await executor.start({
          runId: "env",
          snapshot: loaded.snapshot,
          args: {},
        }).done;
        expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
        expect(progress.map((entry) => entry.event.text)).toEqual(["port=41200"]);
      } finally {
        await worker.stop();
      }
    });
  },
);
