import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  errorRegistry,
  nextRunStatus,
  type RunStatus,
  runStatuses,
  runTransition,
  type UserRunAction,
  userRunActions,
} from "@phaseboard/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { availableActions } from "../src/client/run/availableActions.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function createRun(s: TestServer, args: Record<string, unknown> = { featureName: "x" }) {
  const response = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, args },
  });
  expect(response.status).toBe(201);
  return response.body.data.id as string;
}

async function waitForStatus(s: TestServer, runId: string, status: RunStatus) {
  for (let i = 0; i < 1_500; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} never became ${status}`);
}

const request: Record<UserRunAction, (id: string) => [string, unknown]> = {
  pause: (id) => [`/api/workflow-executions/${id}/pause`, {}],
  resume: (id) => [`/api/workflow-executions/${id}/resume`, {}],
  cancel: (id) => [`/api/workflow-executions/${id}/cancel`, {}],
  rewind: (id) => [`/api/workflow-executions/${id}/rewind`, { phase: "research" }],
};

describe("the table of run states", () => {
  it("is what the server applies and what the board offers, for every status × action", async () => {
    // No executor: a run stays in whatever status the test puts it in.
    server = await startTestServer({ queueOnly: true });
    const s = server;
    const runId = await createRun(s);
    for (const status of runStatuses) {
      for (const action of userRunActions) {
        await s.app.db.workflowRun.update({
          where: { id: runId },
          data: { status, error_message: "as it was", completed_at: null, paused_at: null },
        });
        const before = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
        const [path, body] = request[action](runId);
        const answer = await s.api(path, { body });
        const cell = runTransition(status, action);
        const pair = `${status} × ${action}`;
        // The board offers the action exactly when the server accepts it.
        expect(availableActions({ status })[action], pair).toBe("to" in cell);
        if ("to" in cell) {
          expect(answer.status, pair).toBe(200);
          expect(answer.body.data.status, pair).toBe(cell.to);
        } else {
          expect(answer.status, pair).toBe(409);
          expect(answer.body.error, pair).toEqual({
            code: cell.refuse,
            message: `Cannot ${action} a run that is ${status}`,
          });
          expect(errorRegistry[cell.refuse].status).toBe(409);
          // Refused: nothing about the run changed.
          const after = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
          expect(after, pair).toEqual(before);
        }
      }
    }
  });

  it("resumes a failed run from its last checkpoint, re-running only the step that failed", async () => {
    server = await startTestServer({
      templates: {
        "flaky.yaml": `name: Flaky
phases: [prepare, check]
steps:
  - { id: prepare, name: Prepare, phase: prepare, type: script, command: "echo once >> prepared.txt" }
  - { id: check, name: Check, phase: check, type: script, command: "test -f ready.txt && echo checked" }
`,
      },
    });
    const s = server;
    const runId = await createRun(s, {});
    const failed = await waitForStatus(s, runId, "failed");
    expect(failed.error_message).toBeTruthy();
    expect(availableActions(failed).resume).toBe(true);

    writeFileSync(join(s.projectDir, "ready.txt"), "");
    const resumed = await s.api(`/api/workflow-executions/${runId}/resume`, { body: {} });
    expect(resumed.status).toBe(200);
    expect(resumed.body.data).toMatchObject({ status: "pending", error_message: null });
    const done = await waitForStatus(s, runId, "completed");
    expect(done.error_message).toBeNull();
    // The step that completed before the failure was not run again.
    expect(readFileSync(join(s.projectDir, "prepared.txt"), "utf8")).toBe("once\n");
    const steps = done.steps as { step_id: string; status: string }[];
    expect(steps.find((step) => step.step_id === "check")?.status).toBe("completed");
    expect(existsSync(join(s.projectDir, "ready.txt"))).toBe(true);
  });

  it("refuses to resume a completed run with its own code and changes nothing", async () => {
    server = await startTestServer({ queueOnly: true });
    const s = server;
    const runId = await createRun(s);
    await s.app.db.workflowRun.update({ where: { id: runId }, data: { status: "completed" } });
    const before = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    const refused = await s.api(`/api/workflow-executions/${runId}/resume`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("RUN_NOT_RESUMABLE");
    expect(nextRunStatus("completed", "resume")).toBeUndefined();
    expect((await s.api(`/api/workflow-executions/${runId}`)).body.data).toEqual(before);
  });
});
