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
import { afterEach, describe, expect, it } from "vitest";
import { FEATURE_TEMPLATE, startTestServer, type TestServer } from "./helpers/startTestServer.js";

const binary = restateServerBinary();
if ("missing" in binary) {
  console.warn(
    `\n!!! SKIPPING the server's restate backend test: restate-server is not installed (${binary.missing}).\n`,
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

describe.skipIf("missing" in binary)("a server on the restate backend", () => {
  it("submits a launched run to the cluster, where the pinned worker runs its steps", async () => {
    if ("missing" in binary) return;
    node = await startRestateNode(binary.path, tempDir("restate-node"));
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    const jobs: string[] = [];
    worker = new StepWorker({
      ingressUrl: node.ingress,
      workerId: "box-1",
      stateDir: join(tempDir("worker"), "state"),
      pollIntervalMs: 50,
      onJob: (event) => {
        if (event.phase === "started") jobs.push(event.job.stepKey);
      },
    });
    await worker.start();
    server = await startTestServer({
      templates: { "implement-feature.yaml": FEATURE_TEMPLATE },
      env: {
        PHASEBOARD_BACKEND: "restate",
        PHASEBOARD_RESTATE_INGRESS: node.ingress,
        PHASEBOARD_RESTATE_ADMIN: node.admin,
        PHASEBOARD_RESTATE_WORKER: "box-1",
      },
    });
    const s = server;
    const created = await s.api("/api/workflow-executions", {
      body: {
        project_id: s.projectId,
        workflow_definition_id: s.definitionId,
        args: { featureName: "restate" },
      },
    });
    expect(created.status).toBe(201);
    const runId = created.body.data.id as string;
    let run: { status: string } | undefined;
    for (let i = 0; i < 600 && run?.status !== "completed"; i++) {
      run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
      if (run?.status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(run?.status, JSON.stringify(run)).toBe("completed");
    // The steps ran on the worker the server pinned the run to, not in the server.
    expect(jobs).toEqual(["research", "build"]);
    // …and the board heard of them from the run's event feed: steps and the card's column.
    const shown = (await s.api(`/api/workflow-executions/${runId}`)).body.data as {
      current_phase: string;
      steps: { step_id: string; status: string }[];
    };
    expect(shown.current_phase).toBe("implement");
    expect(shown.steps.map((step) => [step.step_id, step.status])).toEqual([
      ["research", "completed"],
      ["build", "completed"],
    ]);
  });
});
