// The production layout in small: one Restate node, two workers, two servers on one
// PostgreSQL board. Each server pins the runs it launches to its own machine's worker;
// either server's board shows every card moving. A server keeps nothing of a run but the
// database: a run one server relayed is read, rewound and resumed through the other.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  findInvocation,
  queryAdmin,
  type RestateEndpointServer,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
  sqlText,
} from "@phaseboard/restate-backend";
import {
  type RestateNode,
  restateServerBinary,
  startRestateNode,
} from "@phaseboard/restate-backend/testing";
import { tempDir } from "@phaseboard/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
import { FEATURE_TEMPLATE, startTestServer, type TestServer } from "./helpers/startTestServer.js";
import {
  createPostgresDatabase,
  postgresInstalled,
  runServersOnPostgres,
} from "./helpers/testDatabase.js";

const binary = restateServerBinary();
const missing = "missing" in binary ? binary.missing : !postgresInstalled ? "postgresql" : "";
if (missing) {
  console.warn(`\n!!! SKIPPING two servers and two workers on restate: ${missing} missing.\n`);
}

const SLOW_TEMPLATE = `name: Slow
phases: [work]
steps:
  - { id: wait, name: Wait, phase: work, type: script, command: "sleep 60" }
`;

const servers: TestServer[] = [];
const workers: StepWorker[] = [];
let node: RestateNode | undefined;
let endpoint: RestateEndpointServer | undefined;

describe.skipIf(Boolean(missing))("two servers and two workers on one cluster and board", () => {
  if (!missing) runServersOnPostgres();
  // Registered after the database's hooks, so it runs before they stop PostgreSQL.
  afterAll(async () => {
    // Each part stops whatever another's stop threw: no node or worker outlives the file.
    await Promise.allSettled(servers.map((server) => server.close()));
    await Promise.allSettled(workers.map((worker) => worker.stop()));
    await Promise.allSettled([endpoint?.close()]);
    await node?.stop();
  });

  it("runs each server's cards on its own worker, and both boards see every card move", {
    timeout: 240_000,
  }, async () => {
    if ("missing" in binary) return;
    node = await startRestateNode(binary.path, tempDir("restate-node"));
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    const ran = new Map<string, string[]>();
    for (const workerId of ["box-a", "box-b"]) {
      const worker = new StepWorker({
        ingressUrl: node.ingress,
        workerId,
        stateDir: join(tempDir(`worker-${workerId}`), "state"),
        pollIntervalMs: 50,
        onJob: (event) => {
          if (event.phase !== "started") return;
          ran.set(event.job.runId, [...(ran.get(event.job.runId) ?? []), workerId]);
        },
      });
      await worker.start();
      workers.push(worker);
    }
    const database = await createPostgresDatabase();
    const serverOn = async (workerId: string, projectDir?: string) => {
      const server = await startTestServer({
        templates: { "implement-feature.yaml": FEATURE_TEMPLATE, "slow.yaml": SLOW_TEMPLATE },
        ...(projectDir ? { projectDir } : {}),
        env: {
          DATABASE_URL: database,
          PHASEBOARD_BACKEND: "restate",
          PHASEBOARD_RESTATE_INGRESS: node?.ingress ?? "",
          PHASEBOARD_RESTATE_ADMIN: node?.admin ?? "",
          PHASEBOARD_RESTATE_WORKER: workerId,
        },
      });
      servers.push(server);
      return server;
    };
    const a = await serverOn("box-a");
    const b = await serverOn("box-b", a.projectDir);
    expect(b.projectId).toBe(a.projectId);
    const boards = await Promise.all(
      [a, b].map(async (s) => {
        const socket = await openSocket(`${s.url}/ws?project_id=${s.projectId}`);
        await socket.waitFor((m) => m.type === "hello");
        return socket;
      }),
    );

    const definitionOf = async (name: string) =>
      (
        await a.app.db.workflowDefinition.findFirstOrThrow({
          where: { project_id: a.projectId, name },
        })
      ).id;
    const feature = await definitionOf("Implement Feature");
    const launch = async (s: TestServer, featureName: string) => {
      const created = await s.api("/api/workflow-executions", {
        body: {
          project_id: s.projectId,
          workflow_definition_id: feature,
          args: { featureName },
        },
      });
      expect(created.status).toBe(201);
      return created.body.data.id as string;
    };
    const fromA = await launch(a, "launched on a");
    const fromB = await launch(b, "launched on b");

    // Every board hears both cards complete, whichever server launched them.
    for (const board of boards) {
      for (const runId of [fromA, fromB]) {
        await board.waitFor(
          (m) =>
            m.type === "workflow.execution.status_changed" &&
            m.data.execution_id === runId &&
            m.data.status === "completed",
        );
      }
    }
    // Each run's steps ran on the worker of the machine whose server launched it.
    expect(ran.get(fromA)).toEqual(["box-a", "box-a"]);
    expect(ran.get(fromB)).toEqual(["box-b", "box-b"]);
    for (const s of [a, b]) {
      const list = (await s.api(`/api/workflow-executions?project_id=${s.projectId}`)).body.data;
      const statuses = Object.fromEntries(
        (list as { id: string; status: string }[]).map((run) => [run.id, run.status]),
      );
      expect(statuses).toMatchObject({ [fromA]: "completed", [fromB]: "completed" });
    }

    // The output lines of a step A relayed are read through B's log endpoint (the board's):
    // they are rows of the board's database, not a file under the server's project root.
    type Detail = { status: string; steps: { id: string; step_id: string; status: string }[] };
    const detailOn = async (s: TestServer, runId: string) =>
      (await s.api(`/api/workflow-executions/${runId}`)).body.data as Detail;
    const research = (await detailOn(b, fromA)).steps.find((step) => step.step_id === "research");
    if (!research) throw new Error("the research step is not on server b's board");
    const log = (await b.api(`/api/workflow-steps/${research.id}/logs/events`)).body.data as {
      events: { kind: string; text?: string }[];
      next_after: number;
    };
    expect(log.events).toContainEqual(expect.objectContaining({ kind: "stdout", text: "hi" }));
    // A tail goes on after the lines it read: nothing new yet.
    const tail = await b.api(
      `/api/workflow-steps/${research.id}/logs/events?after=${log.next_after}`,
    );
    expect(tail.body.data.events).toEqual([]);
    const runFolder = join(a.projectDir, ".agent", "workflows", "executions", fromA);
    expect(existsSync(join(runFolder, "logs", "research", "events.jsonl"))).toBe(false);

    // Rewound to `implement` and resumed through B, which has no folder of the run (the two
    // servers share a project folder here; on two machines B's disk never had it): the kept
    // phase's step does not run again, the rewound one does — on the run's own worker, where
    // its worktree is, not B's — and both boards see the card complete again. The run as pinned, the
    // checkpoint cut and the generation are all read from the database.
    rmSync(runFolder, { recursive: true, force: true });
    const seenBefore = boards.map((board) => board.messages.length);
    const rewound = await b.api(`/api/workflow-executions/${fromA}/rewind`, {
      body: { phase: "implement" },
    });
    expect(rewound.status).toBe(200);
    for (const [index, board] of boards.entries()) {
      await board.waitFor(
        (m) =>
          board.messages.indexOf(m) >= (seenBefore[index] ?? 0) &&
          m.type === "workflow.execution.status_changed" &&
          m.data.execution_id === fromA &&
          m.data.status === "completed",
      );
    }
    expect(ran.get(fromA)).toEqual(["box-a", "box-a", "box-a"]);
    const rerun = await detailOn(a, fromA);
    expect(rerun.status).toBe("completed");
    expect(rerun.steps.map((step) => [step.step_id, step.status])).toEqual([
      ["research", "completed"],
      ["build", "completed"],
    ]);
    // Nothing of the run was written back to a folder.
    expect(existsSync(runFolder)).toBe(false);

    // A run is paused and resumed through B while A executes it, then cancelled through A
    // while B does: each control reaches the run where it runs (its invocation and its
    // worker), whichever server is attached to it.
    const slow = await a.api("/api/workflow-executions", {
      body: { project_id: a.projectId, workflow_definition_id: await definitionOf("Slow") },
    });
    expect(slow.status).toBe(201);
    const slowId = slow.body.data.id as string;
    const [boardA, boardB] = boards as [(typeof boards)[0], (typeof boards)[0]];
    const statusOn = (board: typeof boardA, status: string, from: number) =>
      board.waitFor(
        (m) =>
          board.messages.indexOf(m) >= from &&
          m.type === "workflow.execution.status_changed" &&
          m.data.execution_id === slowId &&
          m.data.status === status,
      );
    const until = async (what: string, check: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 600; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting until ${what}`);
    };
    await until("the slow step starts", () => (ran.get(slowId)?.length ?? 0) >= 1);
    const paused = await b.api(`/api/workflow-executions/${slowId}/pause`, { body: { now: true } });
    expect(paused.status).toBe(200);
    // A hears its run park on the cluster and lets go of it.
    await until("server a releases the paused run", async () => {
      const row = await a.app.db.workflowRun.findUniqueOrThrow({ where: { id: slowId } });
      return row.status === "paused" && row.worker_id === null;
    });
    const resumed = await b.api(`/api/workflow-executions/${slowId}/resume`, { body: {} });
    expect(resumed.status).toBe(200);
    // Only the interrupted step runs again, on the run's own worker.
    await until("the slow step runs again", () => (ran.get(slowId)?.length ?? 0) >= 2);
    expect(ran.get(slowId)).toEqual(["box-a", "box-a"]);
    expect(await findInvocation(node.admin, "PhaseboardRun", slowId)).toMatch(/^inv_/);
    const from = boardB.messages.length;
    const cancelled = await a.api(`/api/workflow-executions/${slowId}/cancel`, { body: {} });
    expect(cancelled.status).toBe(200);
    await statusOn(boardB, "cancelled", from);
    await statusOn(boardA, "cancelled", 0);
    await until("the cluster ends the run's invocation", async () => {
      const rows = await queryAdmin<{ status: string }>(
        node?.admin ?? "",
        `SELECT status FROM sys_invocation_status WHERE target_service_name = 'PhaseboardRun' AND target_service_key = ${sqlText(slowId)}`,
      );
      return rows.length === 1 && rows[0]?.status === "completed";
    });
    expect(ran.get(slowId)).toEqual(["box-a", "box-a"]);
  });
});
