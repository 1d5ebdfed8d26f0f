// The board's database on PostgreSQL against SQLite (the baseline), measured in one run:
// writes, a board read and the cross-server event hop. `pnpm --filter @phaseboard/db bench`
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createDbClient, type DbClient } from "../src/createDbClient.js";
import { migrateDatabase } from "../src/migrations/migrateDatabase.js";
import { openPostgresChannel } from "../src/postgres/openPostgresChannel.js";
import { findPostgresBinDir, startPostgresCluster } from "../src/postgres/startPostgresCluster.js";

const RUNS = 500;
const READS = 200;

if (!findPostgresBinDir()) {
  console.log(
    "database bench skipped: PostgreSQL is not installed (apt-get install -y postgresql)",
  );
  process.exit(0);
}

async function measure(db: DbClient) {
  const project = await db.project.create({
    data: { name: "bench", path: `/bench/${Date.now()}` },
  });
  const definition = await db.workflowDefinition.create({
    data: {
      project_id: project.id,
      identifier: "bench",
      name: "Bench",
      type: "yaml",
      path: "bench.yaml",
      phases: ["a", "b"],
    },
  });
  let started = performance.now();
  for (let index = 0; index < RUNS; index++) {
    await db.workflowRun.create({
      data: {
        project_id: project.id,
        workflow_definition_id: definition.id,
        name: `run ${index}`,
        args: { index },
        position: `a${index}`,
        current_phase: index % 2 ? "a" : "b",
      },
    });
  }
  const createMs = (performance.now() - started) / RUNS;
  started = performance.now();
  for (let index = 0; index < READS; index++) {
    await db.workflowRun.findMany({
      where: { project_id: project.id, current_phase: "a" },
      orderBy: { position: "asc" },
      take: 100,
    });
  }
  const readMs = (performance.now() - started) / READS;
  return { createMs, readMs };
}

const scratch = mkdtempSync(join(tmpdir(), "phaseboard-db-bench-"));
const cluster = await startPostgresCluster();
try {
  const sqliteUrl = `file:${join(scratch, "bench.db")}`;
  await migrateDatabase({ url: sqliteUrl });
  const sqlite = createDbClient({ url: sqliteUrl });
  const pgUrl = await cluster.createDatabase("bench");
  await migrateDatabase({ url: pgUrl });
  const postgres = createDbClient({ url: pgUrl });
  const base = await measure(sqlite);
  const pg = await measure(postgres);
  await sqlite.$disconnect();
  await postgres.$disconnect();

  // One event from one server to another: NOTIFY out, LISTEN in.
  let resolveHop: (() => void) | undefined;
  const receiver = await openPostgresChannel({
    url: pgUrl,
    channel: "bench",
    onMessage: () => resolveHop?.(),
  });
  const sender = await openPostgresChannel({ url: pgUrl, channel: "bench", onMessage: () => {} });
  const hops: number[] = [];
  const event = JSON.stringify({
    type: "workflow.execution.updated",
    data: { pad: "x".repeat(400) },
  });
  for (let index = 0; index < 200; index++) {
    const arrived = new Promise<void>((resolve) => {
      resolveHop = resolve;
    });
    const at = performance.now();
    await sender.send(event);
    await arrived;
    hops.push(performance.now() - at);
  }
  await sender.close();
  await receiver.close();
  hops.sort((a, b) => a - b);

  const f = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(
    `run create      sqlite ${f(base.createMs)}  postgresql ${f(pg.createMs)}  ratio ${(pg.createMs / base.createMs).toFixed(2)}`,
  );
  console.log(
    `board read x100 sqlite ${f(base.readMs)}  postgresql ${f(pg.readMs)}  ratio ${(pg.readMs / base.readMs).toFixed(2)}`,
  );
  console.log(
    `event hop between servers (NOTIFY→LISTEN, 0.5 KB) p50 ${f(hops[100] ?? 0)}  p95 ${f(hops[190] ?? 0)}`,
  );
} finally {
  await cluster.stop();
  rmSync(scratch, { recursive: true, force: true });
}
