import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

const AGENTS = ["claude", "codex", "gemini"] as const;

const AGENT_TEMPLATE = (board: boolean, agent: (typeof AGENTS)[number] = "claude") => `name: Agent
phases: [work]
steps:
  - id: work
    name: Work
    phase: work
    type: agent
    agent: ${agent}
    prompt: Build the login page
${board ? "" : "    board: false\n"}`;

// The smallest valid PNG: a 1×1 transparent pixel.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

let server: TestServer | undefined;
const saved = { ...process.env };
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

async function runToEnd(s: TestServer) {
  const created = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: s.definitionId, args: {} },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = (await s.api(`/api/workflow-executions/${created.body.data.id}`)).body.data;
    if (["completed", "failed"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run is ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("agent steps get the board", () => {
  it.each(AGENTS)(
    "%s: a stand-in agent comments on its step, attaches a PNG and starts a card, and reaches nothing in another project",
    async (agent) => {
      const results = join(tempDir("mcp"), "results.json");
      server = await startTestServer({ templates: { "agent.yaml": AGENT_TEMPLATE(true, agent) } });
      writeFileSync(join(server.projectDir, "screenshot.png"), PNG);
      const other = (await server.api("/api/workflow-executions?limit=1")).body.data;
      expect(other).toEqual([]);
      Object.assign(process.env, fakeAgentEnv({ reply: "Done." }), {
        FAKE_AGENT_MCP_RESULTS: results,
        FAKE_AGENT_MCP_CALLS: JSON.stringify([
          ["comment", { text: "Login page built" }],
          ["attach_artifact", { path: "screenshot.png", name: "Login page" }],
          ["start_run", { template: "agent", name: "Follow-up" }],
          ["list_templates", { project_id: "ckxsomeotherproject000000" }],
        ]),
      });
      const run = await runToEnd(server);
      expect(run.status).toBe("completed");
      const answer = JSON.parse(readFileSync(results, "utf8"));
      expect(answer.configured).toBe(true);
      const [comment, artifact, started, foreign] = answer.results;
      expect(comment.result.isError).toBeFalsy();
      expect(artifact.result.isError).toBeFalsy();
      expect(started.result.isError).toBeFalsy();
      expect(foreign.result).toMatchObject({ isError: true });
      expect(foreign.result.content[0].text).toBe(
        "NOT_FOUND: No project ckxsomeotherproject000000",
      );

      const step = run.steps[0];
      expect(run.comments).toEqual([
        expect.objectContaining({
          text: "Login page built",
          comment_type: "agent",
          workflow_run_step_id: step.id,
        }),
      ]);
      const stepDetail = (await server.api(`/api/workflow-steps/${step.id}`)).body.data;
      expect(stepDetail.artifacts).toEqual([
        expect.objectContaining({ name: "Login page", mime_type: "image/png" }),
      ]);
      const runs = (await server.api(`/api/workflow-executions?project_id=${server.projectId}`))
        .body.data;
      expect(runs.map((r: { name: string }) => r.name)).toContain("Follow-up");
    },
  );

  it.each(AGENTS)("%s: gets no board in a step with board: false", async (agent) => {
    const results = join(tempDir("mcp"), "results.json");
    server = await startTestServer({ templates: { "agent.yaml": AGENT_TEMPLATE(false, agent) } });
    Object.assign(process.env, fakeAgentEnv({ reply: "Done." }), {
      FAKE_AGENT_MCP_RESULTS: results,
      FAKE_AGENT_MCP_CALLS: JSON.stringify([["comment", { text: "hello" }]]),
    });
    const run = await runToEnd(server);
    expect(run.status).toBe("completed");
    expect(existsSync(results) && JSON.parse(readFileSync(results, "utf8")).configured).toBe(false);
    expect(run.comments).toEqual([]);
  });
});
