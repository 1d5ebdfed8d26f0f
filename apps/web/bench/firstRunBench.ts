// First-run benchmark: the time from launching a one-step script run to `completed`, just
// after a first start with ten templates, with the Build Workflow on (ten builds queued in
// their own lane) next to PHASEBOARD_BUILDS=off, measured in the same run.
// Run: pnpm --filter @phaseboard/web bench (or: tsx bench/firstRunBench.ts)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/server/config.js";
import { startServer } from "../src/server/startServer.js";

const TEMPLATES = 10;
const ROUNDS = 3;

/** The first run's time, and with builds on, how long each YAML template's build took. */
async function firstRun(builds: "on" | "off"): Promise<{ firstRunMs: number; buildMs: number[] }> {
  const root = mkdtempSync(join(tmpdir(), "phaseboard-bench-first-"));
  const project = join(root, "project");
  const definitions = join(project, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  for (let i = 0; i < TEMPLATES; i++) {
    writeFileSync(
      join(definitions, `quick-${i}.yaml`),
      `name: Quick ${i}\nphases: [work]\nsteps:\n  - { id: hello, phase: work, type: script, command: "echo ${i}" }\n`,
    );
  }
  const server = await startServer(
    loadConfig({
      PHASEBOARD_HOME: join(root, "home"),
      PHASEBOARD_BUILDS: builds,
      PHASEBOARD_PROJECT: project,
      PORT: "0",
      LOG_LEVEL: "silent",
    }),
    { logger: false },
  );
  try {
    await server.app.services.builds?.settled();
    const db = server.app.db;
    const projectRow = await db.project.findUniqueOrThrow({ where: { path: project } });
    const definition = await db.workflowDefinition.findFirstOrThrow({
      where: { project_id: projectRow.id, identifier: "quick-0" },
    });
    const started = performance.now();
    const response = await fetch(`${server.url}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_id: projectRow.id, workflow_definition_id: definition.id }),
    });
    const { data } = (await response.json()) as { data: { id: string } };
    for (;;) {
      const run = await db.workflowRun.findUniqueOrThrow({ where: { id: data.id } });
      if (run.status === "completed") break;
      if (run.status === "failed") throw new Error(`the run failed: ${run.error_message}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const firstRunMs = performance.now() - started;
    const systemId = server.app.services.builds?.systemProjectId;
    if (!systemId) return { firstRunMs, buildMs: [] };
    for (;;) {
      const runs = await db.workflowRun.findMany({ where: { project_id: systemId } });
      const ended = runs.filter((run) => run.completed_at !== null);
      if (runs.length >= TEMPLATES && ended.length === runs.length) {
        return {
          firstRunMs,
          buildMs: ended.map(
            (run) => (run.completed_at?.getTime() ?? 0) - (run.started_at?.getTime() ?? 0),
          ),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const on: number[] = [];
const off: number[] = [];
const builds: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  off.push((await firstRun("off")).firstRunMs);
  const withBuildsRound = await firstRun("on");
  on.push(withBuildsRound.firstRunMs);
  builds.push(...withBuildsRound.buildMs);
}
const withBuilds = median(on);
const without = median(off);
console.log(`first run after a first start with ${TEMPLATES} templates (median of ${ROUNDS}):`);
console.log(`  PHASEBOARD_BUILDS=on   ${withBuilds.toFixed(0)} ms (target < 1000 ms)`);
console.log(`  PHASEBOARD_BUILDS=off  ${without.toFixed(0)} ms (baseline)`);
console.log(`  ratio on/off           ${(withBuilds / without).toFixed(2)}`);
console.log(
  `one YAML template's Build Workflow run, start to end (median of ${builds.length}): ${median(builds).toFixed(0)} ms`,
);
