// The production layout in small: one Restate node, two workers, two servers on one
// PostgreSQL board. Each server pins the runs it launches to its own machine's worker;
// either server's board shows every card moving.
import { join } from "node:path";
import {
  type RestateEndpointServer,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
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

const servers: TestServer[] = [];
const workers: StepWorker[] = [];
let node: RestateNode | undefined;
let endpoint: RestateEndpointServer | undefined;
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all(workers.map((worker) => worker.stop()));
  await endpoint?.close();
  await node?.stop();
});

describe.skipIf(Boolean(missing))("two servers and two workers on one cluster and board", () => {
  if (!missing) runServersOnPostgres();

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
        templates: { "implement-feature.yaml": FEATURE_TEMPLATE },
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

    const launch = async (s: TestServer, featureName: string) => {
      const created = await s.api("/api/workflow-executions", {
        body: {
          project_id: s.projectId,
          workflow_definition_id: s.definitionId,
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
  });
});
