import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
const saved = { ...process.env };
beforeEach(() => {
  // Fake agent CLIs replaying the real formats: each claude step reports $0.0123.
  Object.assign(process.env, fakeAgentEnv());
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  process.env = { ...saved };
});

const THREE_AGENT_STEPS = `name: Spend
phases: [plan, build]
steps:
  - { id: plan, phase: plan, type: agent, agent: claude, prompt: plan it }
  - { id: build, phase: build, type: agent, agent: claude, prompt: build it }
  - { id: polish, phase: build, type: agent, agent: claude, prompt: polish it }
`;

/** A plain project folder holding the template and `.agent/phaseboard.yaml`. */
function project(config: string): string {
  const dir = tempDir("project");
  mkdirSync(join(dir, ".agent", "workflows", "definitions"), { recursive: true });
  writeFileSync(join(dir, ".agent", "workflows", "definitions", "spend.yaml"), THREE_AGENT_STEPS);
  writeFileSync(join(dir, ".agent", "phaseboard.yaml"), config);
  return dir;
}

async function waitFor(s: TestServer, runId: string, status: string) {
  let last: { status?: string; error_message?: string | null } | undefined;
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    last = run;
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `run ${runId} never became ${status}: it is ${last?.status} (${last?.error_message ?? "no error"})`,
  );
}

describe("a project budget in .agent/phaseboard.yaml", () => {
  it("pauses the project's runs before their next agent step once all of them together reach it, and resumes them when the file raises it", async () => {
    const dir = project("budget: { usd: 0.02 }\n");
    server = await startTestServer({ projectDir: dir });
    const s = server;
    const live = await openSocket(`${s.url}/ws`);
    const create = async () =>
      (
        await s.api("/api/workflow-executions", {
          body: { project_id: s.projectId, workflow_definition_id: s.definitionId },
        })
      ).body.data.id as string;
    const first = await create();
    // $0.0123 after plan: build starts; $0.0246 after build: polish does not.
    const paused = await waitFor(s, first, "paused");
    expect(paused.error_message).toBe(
      "Project budget reached: the project's runs spent $0.02 of $0.02; raise budget.usd in .agent/phaseboard.yaml to go on",
    );
    expect(paused.steps.map((step: { step_id: string }) => step.step_id)).toEqual([
      "plan",
      "build",
    ]);
    expect(paused.comments.at(-1).text).toContain("Project budget reached");

    // The budget is the project's: a new run stops before its first agent step.
    const second = await create();
    const secondPaused = await waitFor(s, second, "paused");
    expect(secondPaused.steps).toEqual([]);
    expect(secondPaused.error_message).toMatch(/^Project budget reached/);

    // Each agent step's completion event says what it spent, so cards add up live.
    const plan = await live.waitFor(
      (m) => m.type === "workflow.step.completed" && m.data.step_key === "plan",
    );
    expect(plan.data).toMatchObject({ execution_id: first, cost_usd: 0.0123, tokens: 162 });
    live.socket.close();

    // The run list carries each card's cost and tokens; the usage endpoint the budget.
    const list = (await s.api(`/api/workflow-executions?project_id=${s.projectId}`)).body.data;
    const card = list.find((run: { id: string }) => run.id === first);
    expect(card.cost_usd).toBeCloseTo(0.0246, 6);
    expect(card.tokens).toBe(324);
    expect(list.find((run: { id: string }) => run.id === second)).toMatchObject({
      cost_usd: 0,
      tokens: 0,
    });
    const usage = (await s.api(`/api/projects/${s.projectId}/usage`)).body.data;
    expect(usage.budget).toEqual({ usd: 0.02 });
    expect(usage.lifetime.cost_usd).toBeCloseTo(0.0246, 6);

    // Raised, but not past what was spent: nothing resumes.
    writeFileSync(join(dir, ".agent", "phaseboard.yaml"), "budget: { usd: 0.021 }\n");
    const still = await s.api(`/api/projects/${s.projectId}/budget-resume`, { body: {} });
    expect(still.body.data.resumed).toEqual([]);
    expect((await s.api(`/api/workflow-executions/${first}`)).body.data.status).toBe("paused");

    // Raised far enough: the file watcher lets both go on, no API call needed.
    writeFileSync(join(dir, ".agent", "phaseboard.yaml"), "budget: { usd: 1 }\n");
    const done = await waitFor(s, first, "completed");
    expect(done.error_message).toBeNull();
    await waitFor(s, second, "completed");
  });

  it("counts tokens too, and resumes through the API once the file allows it", async () => {
    // Each claude step uses 120 input + 42 output tokens.
    const dir = project("budget:\n  tokens: 300\n");
    server = await startTestServer({ projectDir: dir });
    const s = server;
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: s.definitionId },
    });
    const runId = created.body.data.id as string;
    const paused = await waitFor(s, runId, "paused");
    expect(paused.error_message).toBe(
      "Project budget reached: the project's runs used 324 of 300 tokens; raise budget.tokens in .agent/phaseboard.yaml to go on",
    );
    writeFileSync(join(dir, ".agent", "phaseboard.yaml"), "budget:\n  tokens: 100000\n");
    const resumed = await s.api(`/api/projects/${s.projectId}/budget-resume`, { body: {} });
    expect(resumed.status).toBe(200);
    // The watcher may have got there first; either way the run goes on.
    expect(resumed.body.data.resumed.length).toBeLessThanOrEqual(1);
    await waitFor(s, runId, "completed");
    expect((await s.api("/api/projects/nope/budget-resume", { body: {} })).status).toBe(404);
  });

  it("runs no agent step while the file is refused, says why on the project, and goes on once it is fixed", async () => {
    const dir = project("budget:\n  usd: 0\n");
    server = await startTestServer({ projectDir: dir });
    const s = server;
    const file = join(dir, ".agent", "phaseboard.yaml");
    const described = (await s.api(`/api/projects/${s.projectId}`)).body.data;
    expect(described.config_error.message).toBe(
      `${file}:2:8 budget.usd: must be a positive number`,
    );
    expect((await s.api(`/api/projects/${s.projectId}/usage`)).body.data.budget).toBeNull();
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: s.definitionId },
    });
    const runId = created.body.data.id as string;
    const paused = await waitFor(s, runId, "paused");
    expect(paused.steps).toEqual([]);
    expect(paused.error_message).toBe(
      `Project budget unknown: ${file}:2:8 budget.usd: must be a positive number; fix .agent/phaseboard.yaml to go on`,
    );
    writeFileSync(file, "budget:\n  usd: 5\n");
    await waitFor(s, runId, "completed");
  });
});
