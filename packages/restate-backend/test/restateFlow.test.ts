import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import {
  FileRunStore,
  loadTemplate,
  type RunHost,
  type RunObserver,
} from "@phaseboard/workflow-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestateExecutor } from "../src/RestateExecutor.js";
import { RestateRuns } from "../src/RestateRuns.js";
import { registerDeployment } from "../src/restateAdmin.js";
import { StepWorker } from "../src/StepWorker.js";
import { type RestateEndpointServer, serveRestateEndpoint } from "../src/serveRestateEndpoint.js";
import { type RestateNode, restateServerBinary, startRestateNode } from "./restateNode.js";
import { waitFor } from "./workerProcess.js";

const fixtures = join(import.meta.dirname, "fixtures", "flow");
const binary = restateServerBinary();
const counts = globalThis as {
  __guardianFinally?: number;
  __leafBuilds?: Record<string, number>;
  __phased?: { prepare: number; build: number };
};

async function template(name: string) {
  const loaded = await loadTemplate(join(fixtures, `${name}.ts`));
  if (!loaded.ok) throw new Error(`fixture ${name} must load: ${JSON.stringify(loaded)}`);
  return loaded;
}

/** What a run pins of a code template. */
function pinned(loaded: Awaited<ReturnType<typeof template>>) {
  return {
    snapshot: loaded.snapshot,
    ...(loaded.bundle !== undefined && { bundle: loaded.bundle }),
  };
}

/** The server's side as the board sees it: the records the host made, the statuses heard. */
function boardOf(project: string) {
  const created: { runId: string; parentRunId?: string; previousRunId?: string; name?: string }[] =
    [];
  const statuses: { runId: string; status: string; result?: unknown }[] = [];
  const stepsDone: string[] = [];
  const host: RunHost = {
    loadTemplate: (reference) => template(reference),
    createChildRun: async ({ parentRunId, template: loaded, args, name }) => {
      const runId = `${parentRunId}.${String(args.name ?? loaded.identifier)}`;
      // What the server's RunService does: the child's card, with its pinned definition.
      new FileRunStore(project).pinRun(runId, { ...pinned(loaded), args, parentRunId });
      created.push({ runId, parentRunId, name });
      return { runId };
    },
    createContinuationRun: async ({ previousRunId }) => {
      const runId = `${previousRunId}+`;
      created.push({ runId, previousRunId });
      return { runId };
    },
  };
  const observer: RunObserver = {
    onRunStatus: ({ runId, status, result }) =>
      void statuses.push({ runId, status, ...(result !== undefined && { result }) }),
    onStepCompleted: ({ runId, stepKey }) => void stepsDone.push(`${runId}:${stepKey}`),
  };
  return { created, statuses, stepsDone, host, observer };
}

/** The server's executor on `node` for a project whose board is `board`. */
function executorOn(
  node: RestateNode,
  project: string,
  board: ReturnType<typeof boardOf>,
  worker = "nobody",
): RestateExecutor {
  return new RestateExecutor({
    ingress: node.ingress,
    admin: node.admin,
    worker,
    projectPath: project,
    observer: board.observer,
    host: board.host,
    eventPollMs: 50,
  });
}

describe.skipIf("missing" in binary)("child runs, continue-as-new and rewind on restate", () => {
  let node: RestateNode;
  let endpoint: RestateEndpointServer;
  let base: string;

  beforeAll(async () => {
    if ("missing" in binary) return;
    base = mkdtempSync(join(tmpdir(), "phaseboard-restate-flow-"));
    node = await startRestateNode(binary.path, base);
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await endpoint?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("runs concurrent children as runs of their own, each once, even when the parent's engine dies under them", async () => {
    const project = tempDir("restate-family");
    const board = boardOf(project);
    const executor = executorOn(node, project, board);
    const family = await template("family");
    const handle = executor.start({ runId: "family", ...pinned(family), args: {} });
    handle.done.catch(() => {});
    // Two children nap at once (concurrency 2); the engine process goes away meanwhile and
    // a new one replays the parent (and the children) from the journal.
    await waitFor(
      () => board.created.length >= 2,
      () => `the first children were never created: ${JSON.stringify(board.created)}`,
    );
    const port = endpoint.port;
    await endpoint.close();
    endpoint = await serveRestateEndpoint({ port });

    const outcome = await handle.done;
    expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
    expect(outcome.result).toEqual({
      a: { status: "completed", result: { built: "built a" }, runId: "family.a" },
      b: { status: "completed", result: { built: "built b" }, runId: "family.b" },
      c: { status: "completed", result: { built: "built c" }, runId: "family.c" },
    });
    // One record (card) per child, with its parent, never a second one on replay…
    expect(board.created.sort((x, y) => x.runId.localeCompare(y.runId))).toEqual([
      { runId: "family.a", parentRunId: "family", name: "Build a" },
      { runId: "family.b", parentRunId: "family", name: "Build b" },
      { runId: "family.c", parentRunId: "family", name: "Build c" },
    ]);
    // …each child's step ran once…
    expect(counts.__leafBuilds).toEqual({ a: 1, b: 1, c: 1 });
    // …and the board heard each child run and end, and its step complete.
    await waitFor(
      () => board.statuses.filter((entry) => entry.status === "completed").length === 3,
      () => `children's ends not relayed: ${JSON.stringify(board.statuses)}`,
    );
    for (const child of ["family.a", "family.b", "family.c"]) {
      expect(board.statuses.filter((entry) => entry.runId === child)).toEqual([
        { runId: child, status: "running" },
        { runId: child, status: "completed", result: { built: `built ${child.slice(-1)}` } },
      ]);
      expect(board.stepsDone).toContain(`${child}:build`);
    }
  });

  it("cancels a parent's waiting child with the parent, and the parent's finally step still runs", async () => {
    const project = tempDir("restate-guardian");
    const board = boardOf(project);
    const executor = executorOn(node, project, board);
    const guardian = await template("guardian");
    const handle = executor.start({ runId: "guardian", ...pinned(guardian), args: {} });
    await waitFor(
      () => board.statuses.some((entry) => entry.runId === "guardian.waiter"),
      () => `the child never started: ${JSON.stringify(board.statuses)}`,
    );
    await handle.cancel();
    expect((await handle.done).status).toBe("cancelled");
    expect(counts.__guardianFinally).toBe(1);
    await waitFor(
      () =>
        board.statuses.some(
          (entry) => entry.runId === "guardian.waiter" && entry.status !== "running",
        ),
      () => `the child never ended: ${JSON.stringify(board.statuses)}`,
    );
    expect(board.statuses.filter((entry) => entry.runId === "guardian.waiter").at(-1)?.status).toBe(
      "cancelled",
    );
  });

  it("fails a run whose child template the server's host refuses, with the host's reason", async () => {
    const project = tempDir("restate-orphan");
    const board = boardOf(project);
    const executor = executorOn(node, project, board);
    const orphan = await template("orphan");
    const outcome = await executor.start({ runId: "orphan", ...pinned(orphan), args: {} }).done;
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toContain("fixture no-such-template must load");
    expect(board.created).toEqual([]);
  });

  it("continues as new into successor runs, once each, and a signal sent to the first reaches the last", async () => {
    const project = tempDir("restate-rounds");
    const board = boardOf(project);
    const executor = executorOn(node, project, board);
    const rounds = await template("rounds");
    const handle = executor.start({ runId: "chain", ...pinned(rounds), args: {} });
    // Sent to the first run of the chain before it continued: its successors pass it on.
    await executor.signal("chain", "go", "now");
    const outcome = await handle.done;
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      status: "completed",
      continuedAs: "chain+",
    });
    await waitFor(
      () => board.statuses.some((entry) => entry.runId === "chain++" && entry.status !== "running"),
      () => `the last round never ended: ${JSON.stringify(board.statuses)}`,
    );
    expect(board.created).toEqual([
      { runId: "chain+", previousRunId: "chain" },
      { runId: "chain++", previousRunId: "chain+" },
    ]);
    expect(board.statuses.filter((entry) => entry.runId === "chain++")).toEqual([
      { runId: "chain++", status: "running" },
      { runId: "chain++", status: "completed", result: { round: 3, go: "now" } },
    ]);
    // Signals sent later follow the chain to its newest run.
    expect(await executor.signal("chain", "late")).toBe("chain++");
  });

  it("rewinds an ended run to a phase as a new generation that keeps the earlier phases' results", async () => {
    const project = tempDir("restate-rewind");
    const board = boardOf(project);
    const executor = executorOn(node, project, board);
    const phased = await template("phased");
    // What the server pins when it creates the run.
    new FileRunStore(project).pinRun("phased", { ...pinned(phased), args: {} });
    const first = await executor.start({ runId: "phased", ...pinned(phased), args: {} }).done;
    expect(first, JSON.stringify(first)).toMatchObject({
      status: "completed",
      result: { prepared: 1, built: 1 },
    });

    await executor.rewind("phased", "build");
    const second = await executor.resume("phased").done;
    expect(second).toMatchObject({ status: "completed", result: { prepared: 1, built: 2 } });
    expect(counts.__phased).toEqual({ prepare: 1, build: 2 });
    // The board heard `build` complete once per generation; `prepare` only in the first.
    expect(board.stepsDone).toEqual(["phased:prepare", "phased:build", "phased:build"]);

    // Rewound again: a third generation, from the second's checkpoint.
    await executor.rewind("phased", "build");
    const third = await executor.resume("phased").done;
    expect(third).toMatchObject({ status: "completed", result: { prepared: 1, built: 3 } });
    const runs = new RestateRuns(node.ingress);
    expect(await runs.checkpoint("phased~g3")).toMatchObject({ status: "completed" });
    await expect(executor.rewind("phased", "nowhere")).rejects.toThrow(/cannot rewind/);
  });
  it("runs a step outside a run's template on the run's worker, and refuses one while the run executes", async () => {
    const project = tempDir("restate-extra");
    const board = boardOf(project);
    const jobs: string[] = [];
    const worker = new StepWorker({
      ingressUrl: node.ingress,
      workerId: "w-extra",
      stateDir: join(project, ".worker"),
      pollIntervalMs: 20,
      onJob: (event) => {
        if (event.phase === "started") jobs.push(`${event.job.runId}:${event.job.stepKey}`);
      },
    });
    await worker.start();
    try {
      const executor = executorOn(node, project, board, "w-extra");
      const rounds = await template("rounds");
      new FileRunStore(project).pinRun("reviewed", { ...pinned(rounds), args: { round: 3 } });
      const running = executor.start({ runId: "reviewed", ...pinned(rounds), args: { round: 3 } });
      await waitFor(
        () => board.stepsDone.includes("reviewed:tick"),
        () => `the run never ticked: ${JSON.stringify(board.stepsDone)}`,
      );
      const config = { type: "script" as const, phase: "round", command: "echo reviewed" };
      const refused = executor.runExtraStep("reviewed", { key: "review-0", config });
      await expect(refused.done).rejects.toThrow(/is executing/);
      await executor.signal("reviewed", "go", "done");
      expect((await running.done).status).toBe("completed");

      const extra = executor.runExtraStep("reviewed", {
        key: "review-1",
        config,
        workdir: project,
      });
      await extra.started;
      const result = await extra.done;
      expect(result.status, JSON.stringify(result)).toBe("completed");
      expect(JSON.stringify(result.data)).toContain("reviewed");
      expect(jobs).toEqual(["reviewed:review-1"]);
      expect(board.stepsDone).toContain("reviewed:review-1");
    } finally {
      await worker.stop();
    }
  });
});
