import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  it("shows the card's worker and its steps' live output, and pauses now and resumes through the API", async () => {
    if ("missing" in binary) return;
    node = await startRestateNode(binary.path, tempDir("restate-node"));
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    const jobs: string[] = [];
    worker = new StepWorker({
      ingressUrl: node.ingress,
      workerId: "box-2",
      stateDir: join(tempDir("worker"), "state"),
      pollIntervalMs: 50,
      killGraceMs: 200,
      onJob: (event) => void jobs.push(`${event.phase} ${event.job.stepKey}`),
    });
    await worker.start();
    server = await startTestServer({
      templates: {
        "held.yaml": [
          "name: Held",
          "phases: [work]",
          "steps:",
          '  - { id: talk, name: Talk, phase: work, type: script, command: "echo first-line; echo second-line" }',
          '  - { id: wait, name: Wait, phase: work, type: script, command: "echo start >> starts.log; while [ -f hold ]; do sleep 0.1; done" }',
          "",
        ].join("\n"),
      },
      env: {
        PHASEBOARD_BACKEND: "restate",
        PHASEBOARD_RESTATE_INGRESS: node.ingress,
        PHASEBOARD_RESTATE_ADMIN: node.admin,
        PHASEBOARD_RESTATE_WORKER: "box-2",
      },
    });
    const s = server;
    const hold = join(s.projectDir, "hold");
    const starts = join(s.projectDir, "starts.log");
    writeFileSync(hold, "");
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: s.definitionId, args: {} },
    });
    expect(created.status).toBe(201);
    const runId = created.body.data.id as string;
    const until = async (check: () => boolean | Promise<boolean>, what: string) => {
      for (let i = 0; i < 600; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${what} never happened; worker jobs: ${jobs.join(", ")}`);
    };
    await until(() => existsSync(starts), "the held step's start");
    type Detail = {
      status: string;
      step_worker?: string | null;
      steps: { id: string; step_id: string; status: string }[];
    };
    const detail = async () =>
      (await s.api(`/api/workflow-executions/${runId}`)).body.data as Detail;
    // The card's worker: on the run row, in its detail and in the board's list.
    await until(
      async () => (await detail()).step_worker === "box-2",
      "the run's worker on the row",
    );
    const listed = (await s.api(`/api/workflow-executions?project_id=${s.projectId}`)).body
      .data as { id: string; step_worker?: string | null }[];
    expect(listed.find((run) => run.id === runId)?.step_worker).toBe("box-2");
    // The worker's lines reached the board's database, where its log tail reads them.
    // (The feed is read every 250 ms: the held step may start before the board hears of it.)
    await until(
      async () => (await detail()).steps.some((step) => step.step_id === "talk"),
      "the talk step on the board",
    );
    const talk = (await detail()).steps.find((step) => step.step_id === "talk");
    if (!talk) throw new Error("the talk step is not on the board");
    const tail = async () =>
      ((await s.api(`/api/workflow-steps/${talk.id}/logs/events`)).body.data as { content: string })
        .content;
    await until(async () => (await tail()).includes("second-line"), "the talk step's lines");
    expect(await tail()).toContain("first-line");

    // Pause now: the worker stops the held step's process, the run parks as paused.
    const paused = await s.api(`/api/workflow-executions/${runId}/pause`, { body: { now: true } });
    expect(paused.status).toBe(200);
    expect(paused.body.data.status).toBe("paused");
    await until(() => jobs.includes("completed wait"), "the worker stopping the held step");
    expect((await detail()).status).toBe("paused");
    expect(readFileSync(starts, "utf8").trim().split("\n")).toHaveLength(1);

    rmSync(hold);
    const resumed = await s.api(`/api/workflow-executions/${runId}/resume`, { body: {} });
    expect(resumed.status).toBe(200);
    await until(async () => (await detail()).status === "completed", "the resumed run's end");
    // Only the interrupted step ran again.
    expect(readFileSync(starts, "utf8").trim().split("\n")).toHaveLength(2);
    expect(jobs.filter((job) => job.startsWith("started"))).toEqual([
      "started talk",
      "started wait",
      "started wait",
    ]);
  });
});
