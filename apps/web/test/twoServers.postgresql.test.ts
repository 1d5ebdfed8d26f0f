// Two servers on one PostgreSQL database: one board, whichever server a browser talks to.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
import { FEATURE_TEMPLATE, startTestServer, type TestServer } from "./helpers/startTestServer.js";
import {
  createPostgresDatabase,
  POSTGRES_MISSING,
  postgresInstalled,
  runServersOnPostgres,
} from "./helpers/testDatabase.js";

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** Two servers of one project on one fresh database, started one after the other. */
async function startPair(templates: Record<string, string>) {
  const env = { DATABASE_URL: await createPostgresDatabase() };
  const a = await startTestServer({ env, templates });
  servers.push(a);
  const b = await startTestServer({ env, projectDir: a.projectDir });
  servers.push(b);
  return [a, b] as const;
}

const waitUntil = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
};

describe.skipIf(!postgresInstalled)("two servers on one PostgreSQL board", () => {
  if (postgresInstalled) runServersOnPostgres();

  it("moves a card created on one server live on a board connected to the other", async () => {
    const [a, b] = await startPair({ "implement-feature.yaml": FEATURE_TEMPLATE });
    expect(b.projectId).toBe(a.projectId);
    const board = await openSocket(`${b.url}/ws?project_id=${b.projectId}`);
    await board.waitFor((m) => m.type === "hello");

    const created = await a.api("/api/workflow-executions", {
      body: {
        project_id: a.projectId,
        workflow_definition_id: a.definitionId,
        args: { featureName: "shared board" },
      },
    });
    expect(created.status).toBe(201);
    const runId = created.body.data.id as string;

    const seen = await board.waitFor(
      (m) => m.type === "workflow.execution.created" && m.data.execution_id === runId,
    );
    expect(seen.data.project_id).toBe(a.projectId);
    // Server A executes it; the card moves through its phases on B's board to the end.
    await board.waitFor(
      (m) => m.type === "workflow.execution.phase_changed" && m.data.execution_id === runId,
    );
    await board.waitFor(
      (m) =>
        m.type === "workflow.execution.status_changed" &&
        m.data.execution_id === runId &&
        m.data.status === "completed",
    );
    // And B answers the same card from the shared database.
    const fromB = await b.api(`/api/workflow-executions/${runId}`);
    expect(fromB.body.data).toMatchObject({ id: runId, status: "completed" });
    board.socket.close();
  });

  it("tells both boards to refetch when one server's link to the others drops and comes back", async () => {
    const [a, b] = await startPair({ "implement-feature.yaml": FEATURE_TEMPLATE });
    const boardA = await openSocket(`${a.url}/ws`);
    const boardB = await openSocket(`${b.url}/ws`);
    await boardA.waitFor((m) => m.type === "hello");
    await boardB.waitFor((m) => m.type === "hello");
    // A listened first: the oldest listening connection is A's.
    const [dropped] = await a.app.db.$queryRawUnsafe<{ terminated: boolean }[]>(
      "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'phaseboard phaseboard_events' ORDER BY backend_start LIMIT 1",
    );
    expect(dropped?.terminated).toBe(true);
    // Whatever crossed neither way meanwhile, both boards refetch instead of trusting patches.
    const onA = await boardA.waitFor((m) => m.type === "resync");
    expect(onA.data.reason).toMatch(/link to the other servers/);
    await boardB.waitFor((m) => m.type === "resync");
    // And events flow again from A to B's board.
    const created = await a.api("/api/workflow-executions", {
      body: {
        project_id: a.projectId,
        workflow_definition_id: a.definitionId,
        args: { featureName: "after the drop" },
      },
    });
    await boardB.waitFor(
      (m) =>
        m.type === "workflow.execution.created" && m.data.execution_id === created.body.data.id,
    );
    boardA.socket.close();
    boardB.socket.close();
  });

  it("never executes one run on both servers: one of them wins the lease", async () => {
    const counter = join(tempDir("counter"), "starts.txt");
    const template = `name: Count starts
phases: [work]
steps:
  - { id: count, name: Count, phase: work, type: script, command: "echo started >> '${counter}'" }
`;
    const [a, b] = await startPair({ "count-starts.yaml": template });
    const definition = await a.app.db.workflowDefinition.findFirstOrThrow({
      where: { project_id: a.projectId, identifier: "count-starts" },
    });
    // A pending run that neither server has queued yet, then both try to start it at once.
    const run = await a.app.services.runs.create(
      { project_id: a.projectId, workflow_definition_id: definition.id, args: {} },
      { enqueue: false },
    );
    await Promise.all([
      a.app.services.manager.enqueue(run.id),
      b.app.services.manager.enqueue(run.id),
    ]);
    let ended = { status: "", error_message: null as string | null };
    await waitUntil(async () => {
      ended = await a.app.db.workflowRun.findUniqueOrThrow({ where: { id: run.id } });
      return ["completed", "failed", "cancelled"].includes(ended.status);
    });
    // The loser must leave the run alone (it once failed it: "already executed by worker").
    expect(ended).toMatchObject({ status: "completed", error_message: null });
    expect(readFileSync(counter, "utf8")).toBe("started\n");
  });
});

if (!postgresInstalled) {
  describe("two servers on one PostgreSQL board", () => {
    it.skip(POSTGRES_MISSING, () => {});
  });
}
