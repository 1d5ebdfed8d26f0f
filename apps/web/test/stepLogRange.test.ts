import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { addStep, startTestServer, type TestServer } from "./helpers/startTestServer.js";

const webDir = join(import.meta.dirname, "..");
const tsx = join(webDir, "node_modules", ".bin", "tsx");

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function stepWithLogs(s: TestServer) {
  const created = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: s.definitionId,
      args: { featureName: "x" },
    },
  });
  const runId = created.body.data.id as string;
  const step = await addStep(s, runId);
  const dir = join(s.projectDir, ".agent", "workflows", "executions", runId, "logs", "research");
  mkdirSync(dir, { recursive: true });
  return { runId, step, dir };
}

/** Peak resident memory of a process (kB), from procfs. */
function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
}

describe("step logs in ranges", () => {
  it("reads a byte range with ?offset=&limit= and says where to go on", async () => {
    server = await startTestServer({ queueOnly: true });
    const { step, dir } = await stepWithLogs(server);
    writeFileSync(join(dir, "summary.md"), "héllo world\n");
    const first = await server.api(`/api/workflow-steps/${step.id}/logs/summary?limit=2`);
    // "é" is two bytes: a range never cuts a character in two.
    expect(first.body.data).toMatchObject({
      content: "h",
      offset: 0,
      next_offset: 1,
      size: 13,
      truncated: true,
    });
    const rest = await server.api(`/api/workflow-steps/${step.id}/logs/summary?offset=1&limit=100`);
    expect(rest.body.data).toMatchObject({
      content: "éllo world\n",
      next_offset: 13,
      truncated: false,
    });
  });

  it("returns whole event lines per range and continues with ?after=", async () => {
    server = await startTestServer({ queueOnly: true });
    const { step, dir } = await stepWithLogs(server);
    const line = (n: number) => `${JSON.stringify({ kind: "stdout", text: `line ${n}` })}\n`;
    writeFileSync(join(dir, "events.jsonl"), [0, 1, 2, 3].map(line).join(""));
    const size = line(0).length;
    const first = await server.api(
      `/api/workflow-steps/${step.id}/logs/events?limit=${size * 2 + 5}`,
    );
    expect(first.body.data).toMatchObject({ next_after: 2, truncated: true });
    expect(first.body.data.events).toEqual([
      { kind: "stdout", text: "line 0" },
      { kind: "stdout", text: "line 1" },
    ]);
    const next = await server.api(`/api/workflow-steps/${step.id}/logs/events?after=2`);
    expect(next.body.data).toMatchObject({ next_after: 4, truncated: false });
    expect(next.body.data.events.map((e: { text: string }) => e.text)).toEqual([
      "line 2",
      "line 3",
    ]);
  });

  it.each([
    ["limit=0", /^limit: must be 1 or more/],
    ["limit=8388609", /^limit: must be at most 8388608/],
    ["offset=-1", /^offset: must be 0 or more/],
    ["offset=abc", /^offset: /],
  ])("refuses ?%s with 400", async (query, says) => {
    server = await startTestServer({ queueOnly: true });
    const { step } = await stepWithLogs(server);
    const response = await server.api(`/api/workflow-steps/${step.id}/logs/events?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(says);
  });

  it("reads ranges of a 320 MB log without the server's memory growing with the file", async () => {
    const first = await startTestServer({ queueOnly: true });
    const { runId, step, dir } = await stepWithLogs(first);
    // Finished, so the server started below does not execute it.
    await first.app.db.workflowRun.update({ where: { id: runId }, data: { status: "completed" } });
    await first.close();
    const chunk = Buffer.from(
      `${JSON.stringify({ kind: "stdout", text: "x".repeat(990) })}\n`.repeat(1024),
    );
    const fd = openSync(join(dir, "events.jsonl"), "w");
    for (let i = 0; i < 320; i++) writeSync(fd, chunk);
    closeSync(fd);

    const child = runProcess(tsx, ["src/server/main.ts"], {
      cwd: webDir,
      env: {
        ...process.env,
        PHASEBOARD_HOME: first.config.home,
        PHASEBOARD_BUILDS: "off",
        PHASEBOARD_PROJECT: first.projectDir,
        PORT: "0",
        LOG_LEVEL: "warn",
      },
    });
    const [, url] = await child.waitForOutput(/running at (http:\/\/\S+)/, 120_000);
    const { pid } = JSON.parse(readFileSync(join(first.config.home, "server.json"), "utf8")) as {
      pid: number;
    };
    const base = `${url}/api/workflow-steps/${step.id}/logs/events`;
    const get = async (query: string) =>
      ((await (await fetch(`${base}?${query}`)).json()) as { data: Record<string, unknown> }).data;
    // Warm up the route, so what is measured next is the reading.
    await get("limit=1");
    const before = peakRssKb(pid);
    const head = await get("");
    expect(head).toMatchObject({ offset: 0, size: 320 * chunk.length, truncated: true });
    const deep = await get("after=300000");
    expect((deep.events as unknown[]).length).toBeGreaterThan(0);
    expect(deep.next_after).toBeGreaterThan(300000);
    const tail = await get(`offset=${320 * chunk.length - 8 * 1024 * 1024}&limit=8388608`);
    expect(tail).toMatchObject({ truncated: false, next_offset: 320 * chunk.length });
    const grownMb = (peakRssKb(pid) - before) / 1024;
    // Loading the file whole took 1.5 GB; a range costs a few times its 8 MiB (parsed events
    // and their JSON included), and a busy machine's garbage collector lags: 200 MB still
    // stays well under the 320 MB file itself.
    expect(grownMb).toBeLessThan(200);
  }, 300_000);
});
