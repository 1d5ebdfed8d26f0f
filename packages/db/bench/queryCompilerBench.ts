// Prisma's query-planning WebAssembly compiled by V8's baseline compiler only (what
// createDbClient does) against V8's default tiers (baseline, then optimised), each in a
// process of its own since the flag is per process, alternated: query latency, CPU and
// resident memory. `pnpm --filter @phaseboard/db bench`
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDbClient } from "../src/createDbClient.js";
import { createSqliteAdapterFactory } from "../src/createSqliteAdapterFactory.js";
import { PrismaClient } from "../src/generated/prisma/client.js";
import { migrateDatabase } from "../src/migrations/migrateDatabase.js";

const QUERIES = 4_000;
const ROUNDS = 3;

interface Figures {
  /** Resident memory after the first queries, as an idle server has it. */
  rssFirstMb: number;
  bestUsPerQuery: number;
  cpuS: number;
  rssMb: number;
}

async function measureHere(way: string): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "phaseboard-qc-bench-"));
  try {
    const url = `file:${join(dir, "bench.db")}`;
    await migrateDatabase({ url });
    // createDbClient sets the flag; the default tiers need a client made without it.
    const db =
      way === "liftoff"
        ? createDbClient({ url })
        : new PrismaClient({ adapter: createSqliteAdapterFactory(url) });
    const project = await db.project.create({ data: { name: "bench", path: dir } });
    for (let i = 0; i < 20; i++) await db.project.findUnique({ where: { id: project.id } });
    // Optimised code, if any, is compiled in the background a moment later.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rssFirstMb = process.memoryUsage().rss / 1024 / 1024;
    const cpu = process.cpuUsage();
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      for (let i = 0; i < QUERIES / 2; i++) {
        await db.project.findMany({ where: { name: `x${i}` }, take: 50 });
        await db.project.findUnique({ where: { id: project.id } });
      }
      best = Math.min(best, ((performance.now() - started) / QUERIES) * 1000);
    }
    const used = process.cpuUsage(cpu);
    const figures = {
      rssFirstMb,
      bestUsPerQuery: best,
      cpuS: (used.user + used.system) / 1e6,
      rssMb: process.memoryUsage().rss / 1024 / 1024,
    };
    await db.$disconnect();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [, , child] = process.argv;
if (child) {
  process.stdout.write(JSON.stringify(await measureHere(child)));
} else {
  const results: Record<string, Figures[]> = { liftoff: [], default: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of ["default", "liftoff"]) {
      const ran = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, way], {
        encoding: "utf8",
      });
      if (ran.status !== 0) throw new Error(`${way} failed: ${ran.stderr}`);
      results[way]?.push(JSON.parse(ran.stdout) as Figures);
    }
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  console.log(`Prisma query planning, ${QUERIES} queries × 5, median of ${ROUNDS} processes:`);
  const summary = Object.fromEntries(
    Object.entries(results).map(([way, list]) => [
      way,
      {
        us: median(list.map((f) => f.bestUsPerQuery)),
        cpu: median(list.map((f) => f.cpuS)),
        rss: median(list.map((f) => f.rssMb)),
        rssFirst: median(list.map((f) => f.rssFirstMb)),
      },
    ]),
  );
  for (const [way, f] of Object.entries(summary)) {
    console.log(
      `  ${way.padEnd(8)} ${f.us.toFixed(0).padStart(5)} µs/query   CPU ${f.cpu.toFixed(2)} s   RSS ${f.rssFirst.toFixed(0)} MB after 20 queries, ${f.rss.toFixed(0)} MB after all`,
    );
  }
  const { liftoff, default: baseline } = summary;
  if (liftoff && baseline) {
    console.log(
      `  ratio liftoff/default: latency ${(liftoff.us / baseline.us).toFixed(2)}x, CPU ${(liftoff.cpu / baseline.cpu).toFixed(2)}x, RSS after 20 queries ${(liftoff.rssFirst / baseline.rssFirst).toFixed(2)}x`,
    );
  }
}
