/**
 * The restate backend on the local 3-node cluster (`phaseboard cluster up`'s layout,
 * replication 2), measured in one script:
 *
 * 1. a 10-step run end to end and the cost of each added step: on the local backend, on
 *    one restate-server node and on the 3-node cluster (restate: the endpoint and one
 *    worker in this process);
 * 2. many runs × 10 steps spread over two `phaseboard worker` processes: steps per second
 *    and the peak RSS of each process (this one serves the engine endpoint);
 * 3. the time from killing -9 the node that leads a run's partition to the run's next step
 *    starting on its worker.
 *
 * `BENCH_RUNS` sets the run count of 2 (default 1000). Skipped, saying so, when the
 * restate-server binary is not installed. The script steps are `true`: what is measured is
 * Phaseboard and Restate, not the steps.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  RestateRuns,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
} from "@phaseboard/restate-backend";
import { restateServerBinary, startRestateNode } from "@phaseboard/restate-backend/testing";
import { loadTemplate, WorkflowExecutor } from "@phaseboard/workflow-engine";
import {
  freePortOffset,
  LocalRestateCluster,
  nodePorts,
} from "../src/cluster/LocalRestateCluster.js";

process.env.RESTATE_LOGGING ??= "ERROR";
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const ROUNDS = 5;
const root = mkdtempSync(join(tmpdir(), "phaseboard-bench-scale-"));
const cli = resolve(import.meta.dirname, "..", "dist", "phaseboard.mjs");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function template(name: string, commands: string[]) {
  const file = join(root, `${name}.yaml`);
  const steps = commands.map(
    (command, i) =>
      `  - { id: s${i}, phase: p, type: script, command: ${JSON.stringify(command)} }`,
  );
  writeFileSync(file, `name: ${name}\nphases: [p]\nsteps:\n${steps.join("\n")}\n`);
  const loaded = await loadTemplate(file);
  if (!loaded.ok) throw new Error(`bench template ${name} did not load`);
  return loaded;
}

/** Peak resident set of a process so far (kB → MB), from /proc; 0 where there is none. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** A 10-step run's median and each added step's cost, from `timed(steps)` (a median). */
async function report(name: string, timed: (steps: number) => Promise<number>) {
  await timed(2); // warm-up
  const ten = await timed(10);
  const twenty = await timed(20);
  console.log(
    `1) ${name}: 10-step run p50 ${ten.toFixed(0)} ms, per added step ${((twenty - ten) / 10).toFixed(1)} ms`,
  );
}

/** The local backend: one process, checkpoint files (the default). */
async function perStepLocal() {
  await report("local backend", async (steps) => {
    const loaded = await template(`steps-${steps}`, Array(steps).fill("true"));
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const project = mkdtempSync(join(root, "local-"));
      const executor = new WorkflowExecutor({ projectPath: project, workerId: "bench" });
      const started = performance.now();
      const outcome = await executor.start({
        runId: `local-${steps}-${round}`,
        definition: loaded.definition,
        snapshot: loaded.snapshot,
        args: {},
      }).done;
      times.push(performance.now() - started);
      if (outcome.status !== "completed") throw new Error(`local run ended ${outcome.status}`);
    }
    return median(times);
  });
}

/** One restate-server node, with its own endpoint, beside the cluster. */
async function perStepOneNode(path: string) {
  const node = await startRestateNode(path, mkdtempSync(join(root, "node-")));
  const endpoint = await serveRestateEndpoint();
  try {
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    await perStep("restate, 1 node", node.ingress, mkdtempSync(join(root, "one-node-")));
  } finally {
    await endpoint.close();
    await node.stop();
  }
}

async function perStep(name: string, ingressUrl: string, project: string) {
  const runs = new RestateRuns(ingressUrl);
  const worker = new StepWorker({
    ingressUrl,
    workerId: "bench-1",
    stateDir: join(project, "worker-1"),
    pollIntervalMs: 10,
  });
  await worker.start();
  const timed = async (steps: number) => {
    const { snapshot } = await template(`steps-${steps}`, Array(steps).fill("true"));
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const runId = `per-step-${steps}-${round}`;
      const started = performance.now();
      await runs.submit({ runId, projectPath: project, workerId: "bench-1", snapshot, args: {} });
      const outcome = await runs.result(runId);
      times.push(performance.now() - started);
      if (outcome.status !== "completed") throw new Error(`${runId} ended ${outcome.status}`);
    }
    return median(times);
  };
  try {
    await report(name, timed);
  } finally {
    await worker.stop();
  }
}

function startWorkerProcess(cluster: LocalRestateCluster, id: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      cli,
      "worker",
      "--id",
      id,
      "--ingress",
      cluster.ingressUrl,
      "--admin",
      cluster.adminUrl,
      "--concurrency",
      "16",
    ],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NO_COLOR: "1" } },
  );
  return child;
}

async function manyRuns(cluster: LocalRestateCluster, project: string) {
  if (!existsSync(cli)) {
    console.log("2) many runs: SKIPPED, build the CLI first (node scripts/setup.mjs)");
    return;
  }
  const workers = ["bench-a", "bench-b"].map((id) => ({
    id,
    child: startWorkerProcess(cluster, id),
  }));
  const runs = new RestateRuns(cluster.ingressUrl);
  const { snapshot } = await template("ten", Array(10).fill("true"));
  const ids = Array.from({ length: RUNS }, (_, i) => `many-${i}`);
  try {
    const started = performance.now();
    await pool(ids, 50, async (runId) => {
      const workerId = workers[Number(runId.split("-")[1]) % workers.length]?.id ?? "bench-a";
      await runs.submit({ runId, projectPath: project, workerId, snapshot, args: {} });
    });
    await pool(ids, 50, async (runId) => {
      const outcome = await runs.result(runId);
      if (outcome.status !== "completed") throw new Error(`${runId} ended ${outcome.status}`);
    });
    const seconds = (performance.now() - started) / 1000;
    const nodes = cluster.status().map((node) => `${node.name} ${peakRssMb(node.pid).toFixed(0)}`);
    console.log(
      `2) ${RUNS} runs × 10 steps on 2 workers: ${((RUNS * 10) / seconds).toFixed(0)} steps/s (${seconds.toFixed(1)} s)`,
    );
    console.log(
      `   peak RSS MB: ${workers.map((w) => `${w.id} ${peakRssMb(w.child.pid).toFixed(0)}`).join(", ")}, endpoint (this process) ${peakRssMb(process.pid).toFixed(0)}, ${nodes.join(", ")}`,
    );
  } finally {
    for (const worker of workers) worker.child.kill("SIGTERM");
  }
}

async function leaderKill(cluster: LocalRestateCluster, project: string) {
  const hold = join(project, "hold");
  writeFileSync(hold, "");
  const { snapshot } = await template("held", [
    `while [ -f '${hold}' ]; do sleep 0.02; done`,
    "true",
    "true",
  ]);
  const runId = "leader-kill";
  await new RestateRuns(cluster.ingressUrl).submit({
    runId,
    projectPath: project,
    workerId: "bench-kill",
    snapshot,
    args: {},
  });
  let victim: string | undefined;
  for (let i = 0; i < 600 && victim === undefined; i++) {
    victim = await cluster.leaderOf("PhaseboardRun", runId);
    if (victim === undefined) await sleep(100);
  }
  if (victim === undefined) throw new Error("the run never reached a partition leader");
  const survivor = cluster.nodeNames().findIndex((name) => name !== victim) + 1;
  const ingress = `http://127.0.0.1:${nodePorts(survivor, cluster.offset).ingress}`;
  let killedAt = 0;
  let nextStepAt = 0;
  let holding = false;
  const worker = new StepWorker({
    ingressUrl: ingress,
    workerId: "bench-kill",
    stateDir: join(project, "worker-kill"),
    pollIntervalMs: 10,
    onJob: (event) => {
      if (event.phase !== "started") return;
      if (event.job.stepKey === "s0") holding = true;
      if (event.job.stepKey === "s1") nextStepAt = performance.now();
    },
  });
  await worker.start();
  try {
    while (!holding) await sleep(20);
    // s0 is running on the worker: kill the leader and let s0 finish at the same moment.
    await sleep(300);
    const pid = cluster.status().find((node) => node.name === victim)?.pid;
    if (pid === undefined) throw new Error(`no pid for ${victim}`);
    process.kill(pid, "SIGKILL");
    killedAt = performance.now();
    rmSync(hold);
    const outcome = await new RestateRuns(ingress).result(runId);
    if (outcome.status !== "completed") throw new Error(`${runId} ended ${outcome.status}`);
    console.log(
      `3) leader ${victim} killed -9 mid-step → the run's next step started after ${((nextStepAt - killedAt) / 1000).toFixed(2)} s`,
    );
  } finally {
    await worker.stop();
  }
}

await perStepLocal();
const binary = restateServerBinary();
if ("missing" in binary) {
  console.log(`scale-out bench: SKIPPED, restate-server is not installed (${binary.missing})`);
} else {
  await perStepOneNode(binary.path);
  const cluster = new LocalRestateCluster({
    dir: join(root, "cluster"),
    portOffset: await freePortOffset(),
  });
  try {
    await cluster.start();
    const endpoint = await serveRestateEndpoint({ identityKeys: [cluster.identity().publicKey] });
    try {
      await registerDeployment(cluster.adminUrl, `http://127.0.0.1:${endpoint.port}`);
      const project = mkdtempSync(join(root, "project-"));
      await perStep("restate, 3 nodes", cluster.ingressUrl, project);
      await manyRuns(cluster, project);
      await leaderKill(cluster, project);
    } finally {
      await endpoint.close();
    }
  } finally {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
