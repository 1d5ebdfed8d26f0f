import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { echoAgentPath } from "@phaseboard/agent-cli/testing";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `echo` runs the project's own copy of the echo CLI, prompt as an argument, plain text out. */
const ECHO_DECLARATION = `description: Echoes its prompt
command: ./bin/echo-agent
args: [["--model", "{model}"], "--", "{prompt}"]
prompt: argument
output: text
env: { ECHO_AGENT_GREETING: "echoed" }
install: copy echo-agent into bin/
`;

const ASK_ECHO = `name: Ask Echo
phases: [ask]
steps:
  - { id: ask, phase: ask, type: agent, agent: echo, model: m1, prompt: "hello there" }
  - { id: after, phase: ask, type: script, command: "echo {{ steps.ask.output.resultText }}" }
`;

function project(files: Record<string, string>): string {
  const root = tempDir("declared-agents-project");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  mkdirSync(join(root, "bin"), { recursive: true });
  copyFileSync(echoAgentPath(), join(root, "bin", "echo-agent"));
  return root;
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never saw ${what}`);
}

async function definitions(s: TestServer) {
  return (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body.data as {
    id: string;
    identifier: string;
    error: { message: string; code: string } | null;
  }[];
}

describe("a project's declared agents", () => {
  it("run a template step `agent: echo` to completion and record its output", async () => {
    const s = await startTestServer({
      projectDir: project({
        ".agent/agents/echo.yaml": ECHO_DECLARATION,
        ".agent/workflows/definitions/ask-echo.yaml": ASK_ECHO,
      }),
    });
    server = s;
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: s.definitionId },
    });
    expect(created.status).toBe(201);
    const runId = created.body.data.id as string;
    const run = await waitFor("the run complete", async () => {
      const detail = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
      if (detail.status === "failed") throw new Error(detail.error_message);
      return detail.status === "completed" ? detail : undefined;
    });
    const ask = run.steps.find((step: { step_id: string }) => step.step_id === "ask");
    expect(ask.status).toBe("completed");
    const output = (await s.api(`/api/workflow-steps/${ask.id}/logs/output`)).body.data.content;
    expect(JSON.parse(output)).toMatchObject({
      status: "completed",
      data: { resultText: "echoed: hello there\nmodel m1" },
    });
    const events = (await s.api(`/api/workflow-steps/${ask.id}/logs/events`)).body.data.content;
    expect(events).toContain('"text":"echoed: hello there"');
  });

  it("fail the step with the install hint when the declared command is missing at run time", async () => {
    const s = await startTestServer({
      projectDir: project({
        ".agent/agents/echo.yaml": ECHO_DECLARATION.replace("./bin/echo-agent", "./bin/not-there"),
        ".agent/workflows/definitions/ask-echo.yaml": ASK_ECHO,
      }),
    });
    server = s;
    const created = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: s.definitionId },
    });
    const runId = created.body.data.id as string;
    const run = await waitFor("the run fail", async () => {
      const detail = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
      return detail.status === "failed" ? detail : undefined;
    });
    expect(run.error_message).toContain(
      `The echo agent cannot run: no executable file at ${join(s.projectDir, "bin", "not-there")}. To install it: copy echo-agent into bin/`,
    );
  });

  it("are listed beside the built-ins, broken declarations with file:line:col", async () => {
    const s = await startTestServer({
      projectDir: project({
        ".agent/agents/echo.yaml": ECHO_DECLARATION,
        ".agent/agents/broken.yaml": "command: tool\noutput: xml\n",
        ".agent/agents/missing.yaml":
          "command: no-such-agent-cli\noutput: text\ninstall: pip install it\n",
        ".agent/agents/codex.yaml": "command: my-codex\noutput: codex\n",
        ".agent/workflows/definitions/ask-echo.yaml": ASK_ECHO,
      }),
    });
    server = s;
    const response = await s.api(`/api/projects/${s.projectId}/agents`);
    expect(response.status).toBe(200);
    const agents = response.body.data as {
      name: string;
      kind: string;
      installed: boolean;
      reason: string | null;
      error: { message: string; line?: number; column?: number; path?: string } | null;
    }[];
    expect(agents.map((agent) => `${agent.kind}:${agent.name}`)).toEqual([
      "built-in:claude",
      "built-in:codex",
      "built-in:gemini",
      "declared:broken",
      "declared:codex",
      "declared:echo",
      "declared:missing",
    ]);
    const byName = (kind: string, name: string) =>
      agents.find((agent) => agent.kind === kind && agent.name === name);
    const file = join(s.projectDir, ".agent", "agents", "broken.yaml");
    expect(byName("declared", "broken")?.error).toEqual({
      message: `${file}:2:9 output: expected one of claude, codex, gemini, text, got "xml"`,
      code: "AGENT_DECLARATION_INVALID",
      line: 2,
      column: 9,
      path: ".agent/agents/broken.yaml",
    });
    expect(byName("declared", "codex")?.error?.message).toContain(
      '"codex" is a built-in agent and cannot be declared again',
    );
    expect(byName("declared", "echo")).toMatchObject({
      installed: true,
      command: join(s.projectDir, "bin", "echo-agent"),
      output: "text",
      description: "Echoes its prompt",
      error: null,
    });
    expect(byName("declared", "missing")).toMatchObject({
      installed: false,
      available: false,
      reason: "`no-such-agent-cli` is not on PATH. To install it: pip install it",
    });
    expect((await s.api("/api/projects/nope/agents")).status).toBe(404);
  });

  it("make a template naming an undeclared agent fail to load until the declaration appears", async () => {
    const s = await startTestServer({
      projectDir: project({
        ".agent/workflows/definitions/ask-echo.yaml": ASK_ECHO,
        ".agent/agents/other.yaml": "command: other\noutput: text\n",
      }),
    });
    server = s;
    const [broken] = await definitions(s);
    expect(broken?.error).toMatchObject({ code: "UNKNOWN_AGENT" });
    expect(broken?.error?.message).toContain(
      'ask-echo.yaml:4:48 steps[0].agent: unknown agent "echo": expected one of claude, codex, gemini, other',
    );

    writeFileSync(join(s.projectDir, ".agent", "agents", "echo.yaml"), ECHO_DECLARATION);
    await waitFor("the template load", async () => {
      const [fixed] = await definitions(s);
      return fixed?.error === null ? fixed : undefined;
    });
  });
});
