import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
budget: { usd: 0.02 }
steps:
  - { id: plan, phase: plan, type: agent, agent: claude, prompt: plan it }
  - { id: build, phase: build, type: agent, agent: claude, prompt: build it }
  - { id: polish, phase: build, type: agent, agent: codex, model: gpt-5.1-codex, prompt: polish it }
`;

async function waitFor(s: TestServer, runId: string, status: string) {
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (run.status === status) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${status}`);
}

describe("usage and budgets", () => {
  it("pauses a run at its budget before the next agent step, and goes on once it is raised", async () => {
    server = await startTestServer({ templates: { "spend.yaml": THREE_AGENT_STEPS } });
    const s = server;
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: s.definitionId },
    });
    expect(created.body.data.budget).toEqual({ usd: 0.02 });
    const runId = created.body.data.id as string;

    // $0.0123 after plan: build starts; $0.0246 after build: polish does not.
    const paused = await waitFor(s, runId, "paused");
    expect(paused.error_message).toBe(
      "Budget reached: spent $0.02 of $0.02; raise the budget to go on",
    );
    expect(paused.steps.map((step: { step_id: string }) => step.step_id)).toEqual([
      "plan",
      "build",
    ]);
    expect(paused.comments.at(-1).text).toContain("Budget reached");

    const usage = (await s.api(`/api/workflow-executions/${runId}/usage`)).body.data;
    expect(usage.total).toMatchObject({ agent_steps: 2, input_tokens: 240, output_tokens: 84 });
    expect(usage.total.cost_usd).toBeCloseTo(0.0246, 6);
    expect(usage.by_phase.plan.cost_usd).toBeCloseTo(0.0123, 6);
    expect(usage.steps[0]).toMatchObject({
      step_key: "plan",
      model: expect.stringMatching(/^claude/),
    });

    // Raising it to less than what was spent keeps the run paused.
    await s.api(`/api/workflow-executions/${runId}`, {
      method: "PATCH",
      body: { budget: { usd: 0.021 } },
    });
    expect((await s.api(`/api/workflow-executions/${runId}`)).body.data.status).toBe("paused");
    const raised = await s.api(`/api/workflow-executions/${runId}`, {
      method: "PATCH",
      body: { budget: { usd: 1 } },
    });
    expect(raised.status).toBe(200);
    const done = await waitFor(s, runId, "completed");
    expect(done.error_message).toBeNull();

    // Codex reports tokens only: priced from the table (gpt-5 prices).
    const after = (await s.api(`/api/workflow-executions/${runId}/usage`)).body.data;
    const polish = after.steps.find((step: { step_key: string }) => step.step_key === "polish");
    expect(polish).toMatchObject({ input_tokens: 2310, cached_tokens: 1920, output_tokens: 48 });
    expect(polish.cost_usd).toBeCloseTo((390 * 1.25 + 1920 * 0.125 + 48 * 10) / 1_000_000, 9);

    const project = (await s.api(`/api/projects/${s.projectId}/usage`)).body.data;
    expect(project.total.agent_steps).toBe(3);
    expect(project.by_column.__done.cost_usd).toBeCloseTo(after.total.cost_usd, 9);
  });

  it("refuses budgets that are not positive numbers, in a run and in a template", async () => {
    server = await startTestServer({
      templates: {
        "spend.yaml": THREE_AGENT_STEPS,
        "broken.yaml": THREE_AGENT_STEPS.replace("budget: { usd: 0.02 }", "budget: { usd: -1 }"),
      },
    });
    const s = server;
    for (const [budget, message] of [
      [{ usd: -5 }, "budget.usd: must be a positive number"],
      [{ tokens: 1.5 }, "budget.tokens: must be a whole number"],
      [{ usd: "5" }, "budget.usd:"],
      [{}, "budget: needs usd, tokens or both"],
    ] as const) {
      const response = await s.api("/api/workflow-executions", {
        body: { project_id: s.projectId, workflow_definition_id: s.definitionId, budget },
      });
      expect(response.status, JSON.stringify(budget)).toBe(400);
      expect(response.body.error.message).toContain(message);
    }
    expect((await s.api("/api/workflow-executions")).body.data).toEqual([]);
    const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
      .data as { identifier: string; error: { message: string } | null }[];
    expect(definitions.find((d) => d.identifier === "broken")?.error?.message).toMatch(
      /broken\.yaml:3:\d+ budget\.usd: must be a positive number/,
    );
  });
});
