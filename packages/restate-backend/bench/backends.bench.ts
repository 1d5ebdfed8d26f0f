/**
 * The same YAML run of N script steps (`true`) on the local backend and on the restate
 * backend (one restate-server node, the engine endpoint and one StepWorker in this
 * process): a 10-step run end to end, and the cost of each added step. Run with
 * `pnpm bench` (skipped, saying so, when the restate-server binary is not installed).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTemplate, WorkflowExecutor } from "@phaseboard/workflow-engine";
import { RestateRuns } from "../src/RestateRuns.js";
import { registerDeployment } from "../src/restateAdmin.js";
import { StepWorker } from "../src/StepWorker.js";
import { serveRestateEndpoint } from "../src/serveRestateEndpoint.js";
import { restateServerBinary, startRestateNode } from "../test/restateNode.js";

const ROUNDS = 5;
const root = mkdtempSync(join(tmpdir(), "phaseboard-bench-backends-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function template(steps: number) {
  const file = join(root, `steps-${steps}.yaml`);
  const lines = Array.from(
    { length: steps },
    (_, i) => `  - { id: s${i}, phase: p, type: script, command: "true" }`,
  );
  writeFileSync(file, `name: Bench ${steps}\nphases: [p]\nsteps:\n${lines.join("\n")}\n`);
  const loaded = await loadTemplate(file);
  if (!loaded.ok) throw new Error(`bench template did not load: ${JSON.stringify(loaded)}`);
  return loaded;
}

async function timeLocal(steps: number): Promise<number[]> {
  const loaded = await template(steps);
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
  return times;
}

async function timeRestate(runs: RestateRuns, project: string, steps: number): Promise<number[]> {
  const loaded = await template(steps);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const runId = `restate-${steps}-${round}-${Date.now()}`;
    const started = performance.now();
    await runs.submit({
      runId,
      projectPath: project,
      workerId: "bench",
      snapshot: loaded.snapshot,
      args: {},
    });
    const outcome = await runs.result(runId);
    times.push(performance.now() - started);
    if (outcome.status !== "completed") throw new Error(`restate run ended ${outcome.status}`);
  }
  return times;
}

function report(name: string, ten: number[], twenty: number[]): void {
  const perStep = (median(twenty) - median(ten)) / 10;
  console.log(
    `${name.padEnd(18)} 10-step run p50 ${median(ten).toFixed(0)} ms   per added step ${perStep.toFixed(1)} ms`,
  );
}

try {
  report("local", await timeLocal(10), await timeLocal(20));
  const binary = restateServerBinary();
  if ("missing" in binary) {
    console.log(`restate: SKIPPED, restate-server is not installed (${binary.missing})`);
  } else {
    const node = await startRestateNode(binary.path, mkdtempSync(join(root, "node-")));
    const endpoint = await serveRestateEndpoint();
    const project = mkdtempSync(join(root, "restate-"));
    // A short poll: a step otherwise waits half a poll interval on average to be taken.
    const worker = new StepWorker({
      ingressUrl: node.ingress,
      workerId: "bench",
      stateDir: join(project, "worker"),
      pollIntervalMs: 10,
    });
    try {
      await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
      await worker.start();
      const runs = new RestateRuns(node.ingress);
      await timeRestate(runs, project, 2); // warm-up
      report(
        "restate, 1 node",
        await timeRestate(runs, project, 10),
        await timeRestate(runs, project, 20),
      );
    } finally {
      await worker.stop();
      await endpoint.close();
      await node.stop();
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
