import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processGroupAlive } from "@phaseboard/workflow-engine";
import { afterEach, describe, expect, it } from "vitest";
import { PortBlocks } from "../src/server/domain/workspace/PortBlocks.js";
import { git, gitProject } from "./helpers/gitProject.js";
import { openSocket } from "./helpers/openSocket.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});

/** Writes the step's and setup's ports into the worktree. */
const PORTS_TEMPLATE = `name: Ports
phases: [work]
steps:
  - id: work
    phase: work
    type: script
    command: [sh, -c, 'echo "$PHASEBOARD_PORT $PHASEBOARD_PORTS" > step-ports.txt']
`;

/** A tiny dev server: answers /health with its port, anything else with the worktree's page. */
const SERVE_JS = `const http = require("node:http");
const fs = require("node:fs");
const port = Number(process.env.APP_PORT);
console.log("serving on " + port);
http
  .createServer((request, response) => {
    if (request.url === "/health") return response.end("ok " + port);
    response.end(fs.readFileSync("page.txt", "utf8"));
  })
  .listen(port, "127.0.0.1");
`;

/**
 * A port range of its own for each test (`blocks` blocks of 10), so tests on one machine
 * never hand out the same ports.
 */
function portRange(blocks: number): string {
  const first = 30_000 + Math.floor(Math.random() * 2_000) * 10;
  return `${first}-${first + blocks * 10 - 1}`;
}

function previewProject(preview: string) {
  return gitProject(
    { "ports.yaml": PORTS_TEMPLATE },
    {
      files: {
        "serve.js": SERVE_JS,
        "page.txt": "the main page\n",
        ".agent/phaseboard.yaml": `workspace:\n  setup: 'echo "$PHASEBOARD_PORT $PHASEBOARD_PORTS" > setup-ports.txt'\n${preview}`,
      },
    },
  );
}

const SERVE_PREVIEW =
  "preview:\n  command: [node, serve.js]\n  port_env: APP_PORT\n  ready_path: /health\n";

async function start(projectDir: string, blocks = 20, restart?: TestServer) {
  const server = await startTestServer({
    ...(restart ? { restart } : { projectDir }),
    env: { PHASEBOARD_PORT_RANGE: portRange(blocks), PHASEBOARD_PORT_BLOCK: "10" },
    previews: { pollMs: 50, killGraceMs: 500 },
  });
  servers.push(server);
  return server;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition never held");
}

async function finishedRun(s: TestServer, name: string) {
  const created = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, name },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  return (
    await until(
      () => s.api(`/api/workflow-executions/${id}`),
      (r) => ["completed", "failed"].includes(r.body.data.status),
    )
  ).body.data;
}

const previewOf = (s: TestServer, id: string) =>
  until(
    () => s.api(`/api/workflow-executions/${id}/preview`),
    (r) => r.body.data.preview?.status !== "starting",
  ).then((r) => r.body.data.preview);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("port blocks", () => {
  it("gives each run's steps and setup PHASEBOARD_PORT and PHASEBOARD_PORTS from a block of its own, the same after a restart, and hands an archived run's block to the next run", async () => {
    const projectDir = previewProject("");
    const s = await start(projectDir);
    const a = await finishedRun(s, "A");
    const b = await finishedRun(s, "B");
    expect([a.status, b.status]).toEqual(["completed", "completed"]);
    const blockOf = async (id: string) =>
      (await s.api(`/api/workflow-executions/${id}/preview`)).body.data.port_block;
    const blockA = await blockOf(a.id);
    const blockB = await blockOf(b.id);
    expect(blockA.size).toBe(10);
    expect(blockB.first_port).not.toBe(blockA.first_port);
    expect(Math.abs(blockB.first_port - blockA.first_port)).toBeGreaterThanOrEqual(10);
    for (const [run, block] of [
      [a, blockA],
      [b, blockB],
    ]) {
      const expected = `${block.first_port} ${block.first_port}-${block.first_port + 9}\n`;
      expect(readFileSync(join(run.workspace_path, "step-ports.txt"), "utf8")).toBe(expected);
      expect(readFileSync(join(run.workspace_path, "setup-ports.txt"), "utf8")).toBe(expected);
    }

    await s.close();
    servers = [];
    const again = await start(projectDir, 20, s);
    expect(
      (await again.api(`/api/workflow-executions/${a.id}/preview`)).body.data.port_block,
    ).toEqual(blockA);

    const archived = await again.api(`/api/workflow-executions/${a.id}`, {
      method: "PATCH",
      body: { archived: true },
    });
    expect(archived.status).toBe(200);
    expect(
      (await again.api(`/api/workflow-executions/${a.id}/preview`)).body.data.port_block,
    ).toBeNull();
    const c = await finishedRun(again, "C");
    expect(
      (await again.api(`/api/workflow-executions/${c.id}/preview`)).body.data.port_block,
    ).toEqual(blockA);
  });

  it("fails a run with a clear message when every block of the range is held, and refuses its preview", async () => {
    const s = await start(previewProject(SERVE_PREVIEW), 1);
    const first = await finishedRun(s, "first");
    expect(first.status).toBe("completed");
    const second = await finishedRun(s, "second");
    expect(second.status).toBe("failed");
    expect(second.error_message).toMatch(/No free block of 10 ports in \d+-\d+: 1 live run/);
    const preview = await s.api(`/api/workflow-executions/${second.id}/preview`, { body: {} });
    expect(preview.status).toBe(409);
    expect(preview.body.error.code).toBe("PORTS_EXHAUSTED");
  });
});

describe("port blocks handed out at once", () => {
  it("never gives two live runs overlapping ports, even from two services on one database asking together", async () => {
    const s = await startTestServer({ queueOnly: true });
    servers.push(s);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const created = await s.api("/api/workflow-executions", {
        body: {
          project_id: s.projectId,
          workflow_definition_id: s.definitionId,
          args: { featureName: `f${i}` },
        },
      });
      ids.push(created.body.data.id);
    }
    await s.app.db.workflowRun.updateMany({
      where: { id: { in: ids } },
      data: { workspace_path: "/tmp/worktree" },
    });
    // Two hand-out services, as two server processes on one database would have.
    const range = { first: 40_000, last: 40_199, size: 10 };
    const one = new PortBlocks(s.app.db, range);
    const two = new PortBlocks(s.app.db, range);
    const blocks = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? one : two).ensure(id)));
    const firsts = blocks.map((block) => block?.first_port);
    expect(new Set(firsts).size).toBe(12);
    for (const first of firsts) expect((first ?? 0) % 10).toBe(0);
    // Asking again answers the same block.
    expect(await two.ensure(ids[0] ?? "")).toEqual(blocks[0]);
  });
});

describe("previews", () => {
  it("runs two runs' previews side by side on their own ports, links to them once they answer, and stops each on discard, archive and server stop", async () => {
    const projectDir = previewProject(SERVE_PREVIEW);
    const s = await start(projectDir);
    const socket = await openSocket(`${s.url}/ws`);
    const a = await finishedRun(s, "A");
    const b = await finishedRun(s, "B");
    // Each worktree serves its own page.
    writeFileSync(join(b.workspace_path, "page.txt"), "run B's page\n");

    const status = await s.api(`/api/workflow-executions/${a.id}/preview`);
    expect(status.body.data).toMatchObject({ configured: true, preview: null });
    const startedA = await s.api(`/api/workflow-executions/${a.id}/preview`, { body: {} });
    const startedB = await s.api(`/api/workflow-executions/${b.id}/preview`, { body: {} });
    expect(startedA.status).toBe(200);
    expect(startedB.status).toBe(200);
    expect(startedA.body.data.command).toBe("node serve.js");
    const previewA = await previewOf(s, a.id);
    const previewB = await previewOf(s, b.id);
    expect(previewA.status).toBe("ready");
    expect(previewB.status).toBe("ready");
    expect(previewA.port).not.toBe(previewB.port);
    expect(previewA.url).toBe(`http://127.0.0.1:${previewA.port}/health`);
    expect(previewA.log).toContain(`serving on ${previewA.port}`);
    expect(await (await fetch(previewA.url)).text()).toBe(`ok ${previewA.port}`);
    expect(await (await fetch(`http://127.0.0.1:${previewB.port}/`)).text()).toBe("run B's page\n");
    await socket.waitFor(
      (m) =>
        m.type === "workflow.execution.preview" &&
        m.data.execution_id === b.id &&
        m.data.status === "ready",
    );
    // A second click answers the running preview.
    const again = await s.api(`/api/workflow-executions/${a.id}/preview`, { body: {} });
    expect(again.body.data.pid).toBe(previewA.pid);

    const discarded = await s.api(`/api/workflow-executions/${a.id}/discard`, { body: {} });
    expect(discarded.status).toBe(200);
    expect(alive(previewA.pid)).toBe(false);
    expect(processGroupAlive(previewA.pid)).toBe(false);
    expect(
      (await s.api(`/api/workflow-executions/${a.id}/preview`)).body.data.preview,
    ).toMatchObject({ status: "stopped", pid: null });
    // B's preview still answers.
    expect(await (await fetch(previewB.url)).text()).toBe(`ok ${previewB.port}`);

    const archived = await s.api(`/api/workflow-executions/${b.id}`, {
      method: "PATCH",
      body: { archived: true },
    });
    expect(archived.status).toBe(200);
    expect(alive(previewB.pid)).toBe(false);

    const c = await finishedRun(s, "C");
    await s.api(`/api/workflow-executions/${c.id}/preview`, { body: {} });
    const previewC = await previewOf(s, c.id);
    expect(previewC.status).toBe("ready");
    socket.socket.close();
    await s.close();
    servers = [];
    expect(alive(previewC.pid)).toBe(false);
    expect(processGroupAlive(previewC.pid)).toBe(false);
  });

  it("ends a preview group a crashed server left running when the next server starts", async () => {
    const projectDir = previewProject(SERVE_PREVIEW);
    const s = await start(projectDir);
    const run = await finishedRun(s, "A");
    await s.close();
    servers = [];
    // What a server killed with -9 leaves: a detached group, recorded with its dead pid.
    const left = spawn("sh", ["-c", "exec sleep 60"], { detached: true, stdio: "ignore" });
    const pgid = left.pid as number;
    const deadServer = spawnSync("true").pid;
    const record = join(projectDir, ".agent/workflows/executions", run.id, "preview-process.json");
    writeFileSync(record, JSON.stringify({ pgid, ownerPid: deadServer, startedAt: "" }));
    expect(processGroupAlive(pgid)).toBe(true);
    await start(projectDir, 20, s);
    expect(processGroupAlive(pgid)).toBe(false);
    expect(existsSync(record)).toBe(false);
  });

  it("stops a preview on request (DELETE), and starts it again", async () => {
    const s = await start(previewProject(SERVE_PREVIEW));
    const run = await finishedRun(s, "A");
    await s.api(`/api/workflow-executions/${run.id}/preview`, { body: {} });
    const first = await previewOf(s, run.id);
    const stopped = await s.api(`/api/workflow-executions/${run.id}/preview`, { method: "DELETE" });
    expect(stopped.body.data).toMatchObject({ status: "stopped", pid: null, message: "stopped" });
    expect(alive(first.pid)).toBe(false);
    await s.api(`/api/workflow-executions/${run.id}/preview`, { body: {} });
    const second = await previewOf(s, run.id);
    expect(second.status).toBe("ready");
    expect(second.port).toBe(first.port);
  });

  it("shows the log and exit code of a command that exits at once", async () => {
    const s = await start(
      previewProject(
        "preview:\n  command: 'echo \"missing dependency: vite\" >&2; exit 3'\n  ready_path: /\n",
      ),
    );
    const run = await finishedRun(s, "A");
    await s.api(`/api/workflow-executions/${run.id}/preview`, { body: {} });
    const preview = await previewOf(s, run.id);
    expect(preview).toMatchObject({
      status: "exited",
      exit_code: 3,
      message: "exited with code 3",
      pid: null,
    });
    expect(preview.log).toContain("missing dependency: vite");
    expect(
      readFileSync(
        join(s.projectDir, ".agent/workflows/executions", run.id, "preview.log"),
        "utf8",
      ),
    ).toContain("[exited with code 3]");
  });

  it("stops a preview that never answers within ready_timeout, keeping its log", async () => {
    const s = await start(
      previewProject(
        "preview:\n  command: 'echo warming up; exec sleep 60'\n  ready_timeout: 1s\n",
      ),
    );
    const run = await finishedRun(s, "A");
    const started = await s.api(`/api/workflow-executions/${run.id}/preview`, { body: {} });
    const pid = started.body.data.pid as number;
    const preview = await previewOf(s, run.id);
    expect(preview.status).toBe("failed");
    expect(preview.message).toBe(`did not answer on ${preview.url} within 1 s; stopped`);
    expect(preview.log).toContain("warming up");
    expect(processGroupAlive(pid)).toBe(false);
  });

  it("refuses a preview for a run without a worktree, an unknown run, and a project without preview:", async () => {
    // Not a git repository: runs work in the project folder.
    const inPlace = gitProject({ "ports.yaml": PORTS_TEMPLATE }, { commit: false });
    git(inPlace, "status");
    const s = await start(inPlace);
    const run = await finishedRun(s, "in place");
    expect(run.workspace_path).toBeNull();
    const refused = await s.api(`/api/workflow-executions/${run.id}/preview`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("RUN_HAS_NO_WORKTREE");
    expect(refused.body.error.message).toContain("a preview runs in a run's worktree");
    expect((await s.api(`/api/workflow-executions/${run.id}/preview`)).body.data.port_block).toBe(
      null,
    );
    const unknown = await s.api("/api/workflow-executions/nope/preview", { body: {} });
    expect(unknown.status).toBe(404);

    const plain = await start(previewProject(""));
    const worktreeRun = await finishedRun(plain, "A");
    const unconfigured = await plain.api(`/api/workflow-executions/${worktreeRun.id}/preview`, {
      body: {},
    });
    expect(unconfigured.status).toBe(409);
    expect(unconfigured.body.error.code).toBe("PREVIEW_NOT_CONFIGURED");
  });
});
