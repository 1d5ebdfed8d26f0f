// Server benchmark: run list latency with 10,000 runs, WebSocket fan-out latency with
// 200 clients, and RSS — each next to a baseline measured in the same run.
// Run: pnpm --filter @phaseboard/web bench
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { loadConfig } from "../src/server/config.js";
import { listRunsQuery } from "../src/server/domain/workflow/listRunsQuery.js";
import { startServer } from "../src/server/startServer.js";

const RUNS = 10_000;
const WS_CLIENTS = 200;
const STEP_EVENTS = 1_000;
const DURATION_S = 5;
const run = promisify(execFile);
const tsxBin = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");
const autocannonBin = join(import.meta.dirname, "..", "node_modules", ".bin", "autocannon");

function rssMb(): number {
  const line = readFileSync("/proc/self/status", "utf8").match(/VmRSS:\s+(\d+)/);
  return line ? Number(line[1]) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

async function load(url: string) {
  // autocannon in its own process, so the load generator does not share the server's loop.
  const { stdout } = await run(autocannonBin, ["-j", "-c", "10", "-d", String(DURATION_S), url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as {
    latency: { p50: number; p99: number };
    requests: { average: number };
    non2xx: number;
    errors: number;
  };
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    failures: result.non2xx + result.errors,
  };
}

const root = mkdtempSync(join(tmpdir(), "phaseboard-bench-"));
const project = join(root, "project");
mkdirSync(join(project, ".agent", "workflows", "definitions"), { recursive: true });
writeFileSync(
  join(project, ".agent", "workflows", "definitions", "feature.yaml"),
  "name: Feature\nphases: [research, implement, test]\nargsSchema: { type: object }\n",
);
const server = await startServer(
  loadConfig({
    PHASEBOARD_HOME: join(root, "home"),
    PHASEBOARD_BUILDS: "off",
    PHASEBOARD_PROJECT: project,
    PORT: "0",
    LOG_LEVEL: "silent",
  }),
  { logger: false },
);
const startRss = rssMb();
try {
  const db = server.app.db;
  const projectRow = await db.project.findFirstOrThrow();
  const definition = await db.workflowDefinition.findFirstOrThrow();
  const statuses = ["pending", "running", "paused", "completed", "failed"];
  const phases = ["research", "implement", "test"];
  const start = Date.now();
  for (let offset = 0; offset < RUNS; offset += 1_000) {
    await db.workflowRun.createMany({
      data: Array.from({ length: 1_000 }, (_, i) => ({
        id: `bench-run-${offset + i}`,
        project_id: projectRow.id,
        workflow_definition_id: definition.id,
        name: `Run ${offset + i}`,
        args: { n: offset + i },
        status: statuses[(offset + i) % statuses.length] as string,
        current_phase: phases[(offset + i) % phases.length] as string,
        position: `a${String(offset + i).padStart(6, "0")}`,
        created_at: new Date(start - (offset + i) * 1000),
      })),
    });
  }
  // Two agent steps per run with usage, so the list's cost totals have rows to add up.
  for (let offset = 0; offset < RUNS; offset += 1_000) {
    await db.workflowRunStep.createMany({
      data: Array.from({ length: 1_000 }, (_, i) =>
        ["plan", "build"].map((stepId, n) => ({
          workflow_run_id: `bench-run-${offset + i}`,
          step_id: stepId,
          name: stepId,
          phase: phases[(offset + i) % phases.length] as string,
          type: "agent",
          status: "completed",
          sequence: n,
          model: "claude-sonnet-4-5",
          input_tokens: 1_200 + i,
          output_tokens: 300,
          cost_usd: 0.0123,
        })),
      ).flat(),
    });
  }
  await db.$queryRawUnsafe("ANALYZE");
  const idleRss = rssMb();

  // The list's SQL and row mapping alone, in process: steadier than HTTP on a busy
  // machine, against a trivial query's round trip through the same driver.
  const timeQuery = async (call: () => Promise<unknown>) => {
    for (let i = 0; i < 50; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const started = performance.now();
      await call();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { p50: times[249] ?? 0, p99: times[494] ?? 0 };
  };
  const listQuery = (extra: Record<string, unknown>) => () =>
    listRunsQuery(db, {
      project_id: projectRow.id,
      include_archived: false,
      limit: 50,
      ...extra,
    } as Parameters<typeof listRunsQuery>[1]);
  const queryBaseline = await timeQuery(() => db.$queryRawUnsafe("SELECT 1"));
  const queries = [
    ["listRunsQuery limit 50", await timeQuery(listQuery({}))],
    ["listRunsQuery limit 100", await timeQuery(listQuery({ limit: 100 }))],
    [
      "listRunsQuery status+phase, 50",
      await timeQuery(listQuery({ status: ["running"], phase: "implement" })),
    ],
  ] as const;

  const health = await load(`${server.url}/api/health`);
  const list = await load(`${server.url}/api/workflow-executions?project_id=${projectRow.id}`);
  const list100 = await load(
    `${server.url}/api/workflow-executions?project_id=${projectRow.id}&limit=100`,
  );
  const filtered = await load(
    `${server.url}/api/workflow-executions?project_id=${projectRow.id}&status=running&phase=implement&limit=50`,
  );
  const loadRss = rssMb();

  // WebSocket fan-out: 200 clients in their own process, 1,000 step.progress events
  // stamped with their absolute send time.
  const clientsProcess = spawn(
    tsxBin,
    [
      join(import.meta.dirname, "wsClients.ts"),
      server.url.replace("http", "ws"),
      String(WS_CLIENTS),
      String(STEP_EVENTS),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: clientsProcess.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  if ((await iterator.next()).value !== "ready")
    throw new Error("the WebSocket clients did not connect");
  const wsIdleRss = rssMb();
  for (let i = 0; i < STEP_EVENTS; i++) {
    server.app.services.hub.publish({
      type: "workflow.step.progress",
      data: {
        execution_id: "bench",
        project_id: projectRow.id,
        step_id: "bench",
        step_key: "build",
        output: String(performance.timeOrigin + performance.now()),
      },
    });
    // Ten events per 10 ms, like a chatty agent step, not one synchronous burst.
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const ws = JSON.parse(String((await iterator.next()).value)) as {
    received: number;
    p50: number;
    p99: number;
    max: number;
  };
  const wsRss = rssMb();
  const received = ws.received;

  const fmt = (n: number) => n.toFixed(2);
  console.log(
    `Phaseboard server benchmark (${RUNS} runs with ${2 * RUNS} agent steps in SQLite, autocannon -c 10 -d ${DURATION_S})`,
  );
  console.log("");
  console.log(
    "endpoint                                      p50 ms   p99 ms    req/s   vs /api/health",
  );
  for (const [label, r] of [
    ["GET /api/health (baseline)", health],
    ["GET /api/workflow-executions?project_id (50)", list],
    ["GET …?project_id&limit=100", list100],
    ["GET …?status&phase&limit=50", filtered],
  ] as const) {
    console.log(
      `${label.padEnd(45)} ${fmt(r.p50).padStart(6)} ${fmt(r.p99).padStart(8)} ${r.rps.toFixed(0).padStart(8)}   ${(health.rps / r.rps).toFixed(2)}x slower${r.failures ? `  (${r.failures} failures)` : ""}`,
    );
  }
  console.log("");
  console.log(
    `in process (500 calls)                         p50 ms   p99 ms   vs SELECT 1 (p50 ${fmt(queryBaseline.p50)} ms)`,
  );
  for (const [label, r] of queries) {
    console.log(
      `${label.padEnd(45)} ${fmt(r.p50).padStart(6)} ${fmt(r.p99).padStart(8)}   ${(r.p50 / queryBaseline.p50).toFixed(1)}x`,
    );
  }
  console.log("");
  console.log(
    `WebSocket: ${WS_CLIENTS} clients x ${STEP_EVENTS} step events = ${received} deliveries; latency p50 ${fmt(ws.p50)} ms, p99 ${fmt(ws.p99)} ms, max ${fmt(ws.max)} ms`,
  );
  console.log(
    `Server RSS: after start (migrations applied) ${startRss.toFixed(0)} MB, idle with 10,000 runs ${idleRss.toFixed(0)} MB, after HTTP load ${loadRss.toFixed(0)} MB, 200 sockets open ${wsIdleRss.toFixed(0)} MB, after fan-out ${wsRss.toFixed(0)} MB`,
  );
  console.log(
    `Targets: run list p99 < 50 ms: ${list.p99 < 50 ? "met" : "NOT met"}; WS p99 < 50 ms: ${ws.p99 < 50 ? "met" : "NOT met"}`,
  );
} finally {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
