import { join } from "node:path";
import { runAgent } from "@phaseboard/agent-cli";
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
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

const binary = restateServerBinary();
if ("missing" in binary) {
  console.warn(
    `\n!!! SKIPPING the server's restate child-run test: restate-server is not installed (${binary.missing}).\n`,
  );
}

let server: TestServer | undefined;
let node: RestateNode | undefined;
let endpoint: RestateEndpointServer | undefined;
let worker: StepWorker | undefined;
afterEach(async () => {
  await server?.close();
  await worker?.stop();
  await endpoint?.close();
  await node?.stop();
  server = node = endpoint = worker = undefined;
});

// core and util first, then app (needs both) and cli (needs core); util's first build fails,
// so its card runs the agent's remediation and a durable wait before building again.
const GRAPH: Record<string, string[]> = {
  core: [],
  util: [],
  app: ["core", "util"],
  cli: ["core"],
};
const BUILD = [
  'n=$(cat .attempts 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > .attempts',
  'if [ "$PACKAGE" = util ] && [ "$n" -lt 2 ]; then echo "util: syntax error" >&2; exit 1; fi',
  "mkdir -p out; echo built > out/done",
].join("; ");

async function waitForRun(s: TestServer, runId: string, statuses: string[]) {
  for (let i = 0; i < 2_400; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (statuses.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never reached ${statuses.join("/")}`);
}

describe.skipIf("missing" in binary)("child runs and rewind on the restate backend", () => {
  it("builds the package builder's packages as child cards, then rewinds the parent to a phase without building again", {
    timeout: 180_000,
  }, async () => {
    if ("missing" in binary) return;
    const files: Record<string, string> = {
      "packages.json": JSON.stringify(
        Object.entries(GRAPH).map(([name, dependsOn]) => ({ name, dependsOn })),
      ),
    };
    for (const name of Object.keys(GRAPH)) files[`packages/${name}/README`] = name;
    const projectDir = exampleProject(files);
    node = await startRestateNode(binary.path, tempDir("restate-node"));
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    const builds: string[] = [];
    worker = new StepWorker({
      ingressUrl: node.ingress,
      workerId: "box-1",
      stateDir: join(tempDir("worker"), "state"),
      pollIntervalMs: 20,
      concurrency: 4,
      runAgent,
      onJob: (event) => {
        if (event.phase === "started") builds.push(`${event.job.runId}:${event.job.stepKey}`);
      },
    });
    await worker.start();
    server = await startTestServer({
      projectDir,
      env: {
        PHASEBOARD_BACKEND: "restate",
        PHASEBOARD_RESTATE_INGRESS: node.ingress,
        PHASEBOARD_RESTATE_ADMIN: node.admin,
        PHASEBOARD_RESTATE_WORKER: "box-1",
      },
    });
    const s = server;
    const created = await launchTemplate(s, "package-builder", {
      build: BUILD,
      test: "test -f out/done",
      builtMarker: "out/done",
      retryDelay: "10ms",
    });
    expect(created.status).toBe(201);
    const parentId = created.body.data.id as string;
    const parent = await waitForRun(s, parentId, ["completed", "failed"]);
    const cards = await s.app.db.workflowRun.findMany({
      where: { parent_run_id: parentId },
      include: { steps: true },
    });
    expect(
      parent.error_message,
      JSON.stringify(
        cards.map((run) => [
          run.name,
          run.status,
          run.error_message,
          run.steps.map((step) => [step.step_id, step.status, step.error_message]),
        ]),
      ),
    ).toBeNull();
    expect(parent.status).toBe("completed");
    expect([...parent.result.built].sort()).toEqual(["app", "cli", "core", "util"]);
    expect(parent.state).toMatchObject({ total: 4, queued: 0, active: 0, built: 4, failed: 0 });

    // Each package is a card of its own under the parent, as on the local backend.
    const children = await s.app.db.workflowRun.findMany({
      where: { parent_run_id: parentId },
      include: { steps: true },
    });
    expect(children.map((run) => run.name).sort()).toEqual([
      "Build app",
      "Build cli",
      "Build core",
      "Build util",
    ]);
    for (const child of children) {
      await waitForRun(s, child.id, ["completed"]);
    }
    const util = children.find((run) => run.name === "Build util");
    expect(util?.steps.map((step) => step.step_id).sort()).toEqual(
      ["build-1", "build-2", "preflight", "remediate-1", "report", "test", "wait-1"].sort(),
    );
    // Every script and agent step of the children ran once, on the pinned worker.
    expect(builds.filter((key) => key.endsWith(":build-1"))).toHaveLength(4);
    expect(new Set(builds).size).toBe(builds.length);

    // Rewind the parent to VERIFY: its builds (child runs) are kept, only the rest runs.
    const before = builds.length;
    const rewound = await s.api(`/api/workflow-executions/${parentId}/rewind`, {
      body: { phase: "VERIFY" },
    });
    expect(rewound.status, JSON.stringify(rewound.body)).toBe(200);
    const again = await waitForRun(s, parentId, ["completed", "failed"]);
    expect(again.status, again.error_message).toBe("completed");
    expect([...again.result.built].sort()).toEqual(["app", "cli", "core", "util"]);
    expect(builds.length).toBe(before);
    expect(await s.app.db.workflowRun.count({ where: { parent_run_id: parentId } })).toBe(4);
  });
});
