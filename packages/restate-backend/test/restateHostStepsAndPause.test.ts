import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import {
  FileRunStore,
  loadTemplate,
  type RunHost,
  type RunObserver,
} from "@phaseboard/workflow-engine";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestateExecutor } from "../src/RestateExecutor.js";
import { RestateRuns } from "../src/RestateRuns.js";
import { type RunInbox, runInbox } from "../src/RunInbox.js";
import { serveRestateEndpoint } from "../src/serveRestateEndpoint.js";
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
const fixtures = join(import.meta.dirname, "fixtures", "flow");
const binary = restateServerBinary();
const counts = globalThis as {
  __napperWoke?: number;
  __slowRelease?: boolean;
  __slowNext?: number;
};

async function pinnedTemplate(project: string, runId: string, path: string, args = {}) {
  const loaded = await loadTemplate(path);
  if (!loaded.ok) throw new Error(`${path} must load: ${JSON.stringify(loaded)}`);
  const input = {
    snapshot: loaded.snapshot,
    args,
    ...(loaded.bundle !== undefined && { bundle: loaded.bundle }),
  };
  // What the server pins when it creates a run: resume reads it back.
  new FileRunStore(project).pinRun(runId, input);
  return { runId, ...input };
}

/** The server's host for ctx.sendSignal: the receivers of each template, signalled here. */
function signallingHost(executor: () => RestateExecutor, receivers: Record<string, string[]>) {
  const calls: { template: string; name: string; payload?: unknown }[] = [];
  const host: RunHost = {
    loadTemplate: async () => {
      throw new Error("no templates here");
    },
    createChildRun: async () => {
      throw new Error("no children here");
    },
    signalRuns: async ({ template, name, payload }) => {
      calls.push({ template, name, payload });
      const runIds = receivers[template];
      if (!runIds) throw new Error(`no runs of template ${template} in this project`);
      for (const runId of runIds) await executor().signal(runId, name, payload);
      return { runIds };
    },
  };
  return { host, calls };
}

function heardSteps() {
  const heard: string[] = [];
  const observer: RunObserver = {
    onStepStarted: ({ stepKey }) => void heard.push(`started ${stepKey}`),
    onStepCompleted: ({ stepKey, status }) => void heard.push(`${status} ${stepKey}`),
  };
  return { heard, observer };
}

describe.skipIf("missing" in binary)("host steps and pause reaching the run on restate", () => {
  let node: RestateNode;
  let running: NodeWithEndpoint | undefined;

  beforeAll(async () => {
    if ("missing" in binary) return;
    running = await startNodeWithEndpoint(binary.path, "control");
    node = running.node;
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it("runs the shipped scheduled poller: its send-signal step wakes the waiting runs of another template", async () => {
    const project = tempDir("restate-poller");
    mkdirSync(join(project, ".agent", "inbox"), { recursive: true });
    writeFileSync(join(project, ".agent", "inbox", "packages.txt"), "pkg-a\npkg-b\n");
    const worker = await startWorker(
      node.ingress,
      "w-poller",
      join(project, "w"),
      join(project, "bin"),
    );
    let executor: RestateExecutor | undefined;
    const { host, calls } = signallingHost(() => executor as RestateExecutor, {
      "continuous-builder": ["listener"],
    });
    executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "w-poller",
      projectPath: project,
      host,
      eventPollMs: 50,
    });
    try {
      const listener = executor.start(
        await pinnedTemplate(project, "listener", join(fixtures, "listener.ts")),
      );
      const poller = executor.start(
        await pinnedTemplate(project, "poller", join(definitions, "scheduled-poller.yaml"), {
          inbox: ".agent/inbox/packages.txt",
        }),
      );
      const polled = await poller.done;
      expect(polled.status, JSON.stringify(polled)).toBe("completed");
      const listened = await listener.done;
      expect(listened.status, JSON.stringify(listened)).toBe("completed");
      expect(listened.result).toEqual({ packages: "pkg-a\npkg-b\n" });
      expect(calls).toEqual([
        {
          template: "continuous-builder",
          name: "newPackages",
          payload: { packages: "pkg-a\npkg-b\n" },
        },
      ]);
    } finally {
      await worker.stop();
    }
  });

  it("signals once when the engine's endpoint closes after the signal step and the run replays", async () => {
    const project = tempDir("restate-send-replay");
    let executor: RestateExecutor | undefined;
    const { host, calls } = signallingHost(() => executor as RestateExecutor, {
      listener: ["replay-listener"],
    });
    const { heard, observer } = heardSteps();
    executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "nobody",
      projectPath: project,
      host,
      observer,
      eventPollMs: 50,
    });
    const sender = executor.start(
      await pinnedTemplate(project, "replay-sender", join(fixtures, "sender.ts"), {
        to: "listener",
      }),
    );
    sender.done.catch(() => {});
    await waitFor(
      () => heard.includes("started nap"),
      () => `the sender never reached its nap: ${heard.join(", ")}`,
    );
    if (!running) throw new Error("no node");
    const port = running.endpoint.port;
    await running.endpoint.close();
    running.endpoint = await serveRestateEndpoint({ port });

    const outcome = await sender.done;
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    expect(outcome.result).toEqual({ runIds: ["replay-listener"] });
    expect(calls).toHaveLength(1);
    const inbox = await clients
      .connect({ url: node.ingress })
      .objectClient<RunInbox>(runInbox, "replay-listener")
      .read();
    expect(inbox).toEqual([
      { kind: "signal", name: "newPackages", payload: { packages: "from-sender" } },
    ]);
  });

  it("fails the signal step with the host's message when the host cannot signal", async () => {
    const project = tempDir("restate-send-fails");
    const { host } = signallingHost(() => {
      throw new Error("unused");
    }, {});
    const executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "nobody",
      projectPath: project,
      host,
      eventPollMs: 50,
    });
    const outcome = await executor.start(
      await pinnedTemplate(project, "failing-sender", join(fixtures, "sender.ts"), {
        to: "nowhere",
      }),
    ).done;
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toContain("no runs of template nowhere in this project");
  });

  it("pauses a run on the worker it is pinned to, not on the pausing server's default worker", async () => {
    const project = tempDir("restate-pause-own-worker");
    const pnpm = fakePnpm(project);
    const worker = await startWorker(
      node.ingress,
      "w-own",
      join(project, "w"),
      join(project, "bin"),
    );
    const submitter = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "w-own",
      projectPath: project,
      eventPollMs: 50,
    });
    // Another server, configured with another worker, takes over the run and pauses it.
    const other = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "w-elsewhere",
      projectPath: project,
      eventPollMs: 50,
    });
    try {
      writeFileSync(pnpm.hold, "");
      const started = submitter.start(
        await pinnedTemplate(project, "own-worker", join(definitions, "simple-pipeline.yaml"), {
          environment: "dev",
        }),
      );
      await waitFor(
        () => pnpm.starts().includes("build"),
        () => `build never started: ${pnpm.starts().join(",")}\n${worker.output()}`,
      );
      const attached = other.resume("own-worker");
      await attached.pause({ now: true });
      expect((await attached.done).status).toBe("paused");
      expect((await started.done).status).toBe("paused");
      // The run's own worker stopped `build` while `hold` still exists.
      await waitFor(
        () => worker.output().includes("completed own-worker build-app failed"),
        () => `the run's worker never stopped the paused step:\n${worker.output()}`,
      );
      expect(await new RestateRuns(node.ingress).jobs("w-elsewhere")).toEqual([]);

      rmSync(pnpm.hold);
      const outcome = await other.resume("own-worker").done;
      expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
      expect(pnpm.starts()).toEqual(["install", "build", "build", "test", "deploy"]);
    } finally {
      await worker.stop();
    }
  });

  it("pauses a sleeping run at once, and once resumed it sleeps only the time that was left", async () => {
    const project = tempDir("restate-pause-sleep");
    const { heard, observer } = heardSteps();
    const executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "nobody",
      projectPath: project,
      observer,
      eventPollMs: 50,
    });
    counts.__napperWoke = 0;
    const run = executor.start(
      await pinnedTemplate(project, "napper", join(fixtures, "napper.ts")),
    );
    await waitFor(
      () => heard.includes("started nap"),
      () => `the run never began its nap: ${heard.join(", ")}`,
    );
    const napStarted = Date.now();
    await run.pause();
    // Paused inside its 4 s sleep, with no worker step left: it parks instead of completing.
    expect((await run.done).status).toBe("paused");
    expect(counts.__napperWoke).toBe(0);
    expect((await new RestateRuns(node.ingress).parking("napper")).parked).toBe(1);

    // Paused past the sleep's end: as on the local backend, the wake-up time is absolute,
    // so the resumed sleep has nothing left (a restarted sleep would take 4 s more).
    await new Promise((done) => setTimeout(done, Math.max(0, napStarted + 4_500 - Date.now())));
    const resumedAt = Date.now();
    const outcome = await executor.resume("napper").done;
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    expect(outcome.result).toBe("woke");
    expect(counts.__napperWoke).toBe(1);
    expect(Date.now() - resumedAt).toBeLessThan(3_500);
  });

  it("pauses a run waiting for a signal at once; resumed, it takes the signal sent meanwhile", async () => {
    const project = tempDir("restate-pause-wait");
    const { heard, observer } = heardSteps();
    const executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "nobody",
      projectPath: project,
      observer,
      eventPollMs: 50,
    });
    const runs = new RestateRuns(node.ingress);
    const run = executor.start(
      await pinnedTemplate(project, "paused-listener", join(fixtures, "listener.ts")),
    );
    await waitFor(
      () => heard.some((line) => line.startsWith("started ")),
      () => `the run never began to wait: ${heard.join(", ")}`,
    );
    await run.pause();
    expect((await run.done).status).toBe("paused");

    // Sent while paused: held in the inbox, not taken until the run is resumed.
    await executor.signal("paused-listener", "newPackages", { packages: "late" });
    await new Promise((done) => setTimeout(done, 500));
    expect((await runs.events("paused-listener", 0)).map((event) => event.kind)).not.toContain(
      "ended",
    );
    expect((await runs.parking("paused-listener")).parked).toBe(1);

    const outcome = await executor.resume("paused-listener").done;
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    expect(outcome.result).toEqual({ packages: "late" });
  });

  it("pauses a run inside a function step once that step finishes, before its next step", async () => {
    const project = tempDir("restate-pause-function");
    const { heard, observer } = heardSteps();
    const executor = new RestateExecutor({
      ingress: node.ingress,
      admin: node.admin,
      worker: "nobody",
      projectPath: project,
      observer,
      eventPollMs: 50,
    });
    counts.__slowRelease = false;
    counts.__slowNext = 0;
    const run = executor.start(
      await pinnedTemplate(project, "slow-step", join(fixtures, "slowStep.ts")),
    );
    await waitFor(
      () => heard.includes("started slow"),
      () => `the slow step never started: ${heard.join(", ")}`,
    );
    await run.pause();
    counts.__slowRelease = true;
    expect((await run.done).status).toBe("paused");
    expect(heard).toContain("completed slow");
    expect(counts.__slowNext).toBe(0);

    const outcome = await executor.resume("slow-step").done;
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    expect(counts.__slowNext).toBe(1);
    expect(heard.filter((line) => line === "completed slow")).toHaveLength(1);
  });
});
