import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { phaseboard, type Sandbox, sandbox, startPhaseboard } from "./phaseboardBinary.js";

// These tests drive real runs through the built binary: the engine's template loading
// and executor, the server's routes and its /ws events, embedded or in another process.

const DEFINITIONS = join(".agent", "workflows", "definitions");

async function initialised(): Promise<Sandbox> {
  const box = sandbox();
  expect((await phaseboard(box, ["init"])).code).toBe(0);
  return box;
}

/** A template whose second step waits for a file, so a test can act while it runs. */
function writeGatedTemplate(box: Sandbox): void {
  writeFileSync(
    join(box.project, DEFINITIONS, "gated.yaml"),
    `name: Gated
phases: [first, second]
argsSchema: { type: object, properties: {} }
steps:
  - id: start
    name: Start
    phase: first
    type: script
    command: echo started
  - id: gate
    name: Wait for the gate
    phase: first
    type: script
    command: while [ ! -f gate ]; do sleep 0.05; done; echo through
  - id: finish
    name: Finish
    phase: second
    type: script
    command: echo finished
`,
  );
}

describe("templates from the command line", () => {
  it("init, then validate passes and templates lists both starters", async () => {
    const box = await initialised();
    const validate = await phaseboard(box, ["validate"]);
    expect(validate.stderr).toBe("");
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`✓ ${join(DEFINITIONS, "hello.yaml")}`);
    expect(validate.stdout).toContain(`✓ ${join(DEFINITIONS, "review-changes.ts")}`);
    const templates = await phaseboard(box, ["templates", "--json"]);
    expect(templates.code).toBe(0);
    const rows = JSON.parse(templates.stdout) as { identifier: string; error: unknown }[];
    expect(rows.map((row) => row.identifier).sort()).toEqual(["hello", "review-changes"]);
    expect(rows.every((row) => row.error === null)).toBe(true);
  });

  it("validate prints a broken template as file:line:col message and exits 1", async () => {
    const box = await initialised();
    const file = join(DEFINITIONS, "broken.yaml");
    writeFileSync(
      join(box.project, file),
      "name: Broken\nphases: [a]\nsteps:\n  - id: x\n    phase: nowhere\n    type: script\n    command: true\n",
    );
    const result = await phaseboard(box, ["validate", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^${file.replace(/[./]/g, "\\$&")}:\\d+:\\d+ \\S`, "m"),
    );
    expect(result.stderr.trim()).toBe("phaseboard: 1 of 1 template(s) invalid");
  });
});

describe("agent declarations from the command line", () => {
  it("validate checks .agent/agents/ and refuses a step naming an agent nobody declared", async () => {
    const box = await initialised();
    const agents = join(box.project, ".agent", "agents");
    mkdirSync(agents, { recursive: true });
    writeFileSync(join(agents, "echo.yaml"), "command: echo-agent\noutput: text\n");
    writeFileSync(join(agents, "broken.yaml"), "command: tool\noutput: xml\n");
    writeFileSync(
      join(box.project, DEFINITIONS, "ask.yaml"),
      "name: Ask\nphases: [a]\nsteps:\n  - { id: ask, phase: a, type: agent, agent: ehco, prompt: hi }\n",
    );
    const result = await phaseboard(box, ["validate"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✓ ${join(".agent", "agents", "echo.yaml")}`);
    expect(result.stdout).toContain(
      `${join(".agent", "agents", "broken.yaml")}:2:9 output: expected one of claude, codex, gemini, text, got "xml"`,
    );
    expect(result.stdout).toContain(
      `${join(DEFINITIONS, "ask.yaml")}:4:46 steps[0].agent: unknown agent "ehco": expected one of claude, codex, gemini, echo`,
    );
    expect(result.stderr.trim()).toBe("phaseboard: 2 of 5 template(s) invalid");
  });
});

describe("runs without a server (embedded)", () => {
  it("runs a template to completion, then list, status and logs show it", async () => {
    const box = await initialised();
    const run = await phaseboard(box, ["run", "hello", "--arg", "who=world", "--name", "First"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ Say hello \S+/);
    expect(run.stdout).toContain("Hello, world");
    expect(run.stdout).toMatch(/✓ Run completed/);

    const list = await phaseboard(box, ["list", "--json"]);
    const runs = JSON.parse(list.stdout) as { id: string; name: string; status: string }[];
    expect(runs).toEqual([expect.objectContaining({ name: "First", status: "completed" })]);
    const id = runs[0]?.id ?? "";

    const status = await phaseboard(box, ["status", id, "--json"]);
    const detail = JSON.parse(status.stdout) as { steps: { step_id: string; status: string }[] };
    expect(detail.steps.map((step) => [step.step_id, step.status])).toEqual([
      ["greet", "completed"],
      ["list-files", "completed"],
    ]);
    const logs = await phaseboard(box, ["logs", id, "--step", "greet"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("Hello, world");
    expect((await phaseboard(box, ["list", "--status", "failed", "--json"])).stdout.trim()).toBe(
      "[]",
    );
  });

  it("lists the available templates when the named one does not exist, creating no run", async () => {
    const box = await initialised();
    const result = await phaseboard(box, ["run", "helo"]);
    expect(result.code).toBe(2);
    // review-changes is listed too once the server loads TypeScript templates.
    expect(result.stderr.trim()).toMatch(
      /^phaseboard: no template "helo"; available: hello(, review-changes)?$/,
    );
    expect(JSON.parse((await phaseboard(box, ["list", "--json"])).stdout)).toEqual([]);
  });

  it("names the field when the args fail the template's schema, creating no run", async () => {
    const box = await initialised();
    const result = await phaseboard(box, ["run", "hello"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^phaseboard: .*\bwho\b/);
    expect(JSON.parse((await phaseboard(box, ["list", "--json"])).stdout)).toEqual([]);
  });

  it("says that an unknown run id does not exist, with exit 1, for every run command", async () => {
    const box = await initialised();
    for (const args of [
      ["status", "nope"],
      ["logs", "nope"],
      ["pause", "nope"],
      ["resume", "nope"],
      ["cancel", "nope"],
      ["rewind", "nope", "--phase", "greet"],
      ["approve", "nope"],
      ["signal", "nope", "go"],
    ]) {
      const result = await phaseboard(box, args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr.trim(), args.join(" ")).toBe('phaseboard: no run with id "nope"');
    }
  });
});

describe("runs through a started server", () => {
  async function startServer(box: Sandbox) {
    const serve = startPhaseboard(box, ["serve", "--port", "0"]);
    const [, url] = await serve.waitForOutput(/running at (http:\/\/\S+)/);
    return { serve, url: url ?? "" };
  }

  it("starts a detached run on the server, lists it, shows it and cancels it", async () => {
    const box = await initialised();
    writeGatedTemplate(box);
    const { url } = await startServer(box);
    const env = { PHASEBOARD_URL: url };
    const started = await phaseboard(box, ["run", "gated", "--detach", "--name", "Gate"], { env });
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    const listed = JSON.parse((await phaseboard(box, ["list", "--json"], { env })).stdout) as {
      id: string;
      name: string;
      status: string;
    }[];
    expect(listed).toEqual([expect.objectContaining({ id, name: "Gate" })]);
    // Queued or at its gate step: either way not finished.
    expect(["pending", "running"]).toContain(listed[0]?.status);
    const shown = await phaseboard(box, ["status", id], { env });
    expect(shown.stdout).toContain(`Gate ${id}`);
    expect(shown.stdout).toMatch(/template {2}Gated/);
    const cancelled = await phaseboard(box, ["cancel", id, "--json"], { env });
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id, status: "cancelled" });
    const byStatus = await phaseboard(
      box,
      ["list", "--status", "cancelled", "--template", "gated", "--json"],
      { env },
    );
    expect((JSON.parse(byStatus.stdout) as { id: string }[]).map((run) => run.id)).toEqual([id]);
  });

  it("runs, lists and shows a run on the server named by PHASEBOARD_URL", async () => {
    const box = await initialised();
    const { url } = await startServer(box);
    const env = { PHASEBOARD_URL: url };
    const run = await phaseboard(box, ["run", "hello", "--arg", "who=server"], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Hello, server");
    const listed = await phaseboard(box, ["list", "--json"], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const runs = JSON.parse(listed.stdout) as { id: string; status: string }[];
    expect(runs.map((r) => r.status)).toEqual(["completed"]);
    const status = await phaseboard(box, ["status", runs[0]?.id ?? "", "--json"], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "completed" });
  });

  it("pauses and resumes a run from the CLI while the board's WebSocket sees it", async () => {
    const box = await initialised();
    writeGatedTemplate(box);
    const { url } = await startServer(box);
    const env = { PHASEBOARD_URL: url };
    const projects = (await (await fetch(`${url}/api/projects`)).json()) as {
      data: { id: string; path: string }[];
    };
    const projectId = projects.data.find((p) => p.path === box.project)?.id;
    const board = new WebSocket(`${url.replace("http", "ws")}/ws`);
    const statuses: string[] = [];
    const seen = (status: string) =>
      new Promise<void>((resolve) => {
        const check = () => statuses.includes(status) && resolve();
        board.on("message", check);
        check();
      });
    board.on("message", (raw) => {
      const event = JSON.parse(String(raw)) as { type: string; data: { status?: string } };
      if (event.type === "workflow.execution.status_changed" && event.data.status) {
        statuses.push(event.data.status);
      }
    });
    await new Promise((resolve) => board.once("open", resolve));
    board.send(JSON.stringify({ type: "subscribe", project_id: projectId }));

    const started = await phaseboard(box, ["run", "gated", "--detach"], { env });
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    await seen("running");
    expect((await phaseboard(box, ["pause", id], { env })).code).toBe(0);
    writeFileSync(join(box.project, "gate"), "");
    await seen("paused");
    const resumed = await phaseboard(box, ["resume", id, "--follow"], { env });
    expect(resumed.code).toBe(0);
    await seen("completed");
    const status = JSON.parse((await phaseboard(box, ["status", id, "--json"], { env })).stdout);
    expect(status.steps.map((s: { status: string }) => s.status)).toEqual([
      "completed",
      "completed",
      "completed",
    ]);
    board.close();
  });

  it("detaches on Ctrl-C without a terminal, exiting 130 while the run goes on", async () => {
    const box = await initialised();
    writeGatedTemplate(box);
    const { url } = await startServer(box);
    const env = { PHASEBOARD_URL: url };
    const follow = startPhaseboard(box, ["run", "gated", "--name", "Interrupted"], { env });
    await follow.waitForOutput(/▸ Wait for the gate/);
    follow.child.kill("SIGINT");
    expect(await follow.exited).toBe(130);
    expect(follow.stdout()).toMatch(/Detached; the run goes on/);
    const runs = JSON.parse((await phaseboard(box, ["list", "--json"], { env })).stdout) as {
      id: string;
      status: string;
    }[];
    expect(runs.map((run) => run.status)).toEqual(["running"]);
    writeFileSync(join(box.project, "gate"), "");
    const resumed = await phaseboard(box, ["logs", runs[0]?.id ?? "", "--follow"], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("finished");
  });

  it("finds the server through $PHASEBOARD_HOME without PHASEBOARD_URL", async () => {
    const box = await initialised();
    const { url } = await startServer(box);
    const run = await phaseboard(box, ["run", "hello", "--arg", "who=found", "--detach"]);
    expect(run.code).toBe(0);
    const response = await fetch(`${url}/api/workflow-executions/${run.stdout.trim()}`);
    expect(response.status).toBe(200);
  });
});
