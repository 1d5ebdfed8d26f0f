import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitProject } from "./helpers/gitProject.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
const saved = { ...process.env };
let record: string;
beforeEach(() => {
  record = join(tempDir("agent-record"), "call.json");
  Object.assign(process.env, fakeAgentEnv({ recordFile: record, sessionId: "sess-1" }));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  process.env = { ...saved };
});

/** A script writes the change (the fake agent only talks), then an agent step "reviews" it. */
const EDIT_TEMPLATE = `name: Edit notes
phases: [write, check]
steps:
  - id: write
    phase: write
    type: script
    command: [sh, -c, 'printf "one\\ntwo\\nthree\\n" > notes.md; printf "# demo, edited\\n" > README.md']
  - id: agent
    phase: write
    type: agent
    agent: claude
    prompt: Tidy the notes
    permission: acceptEdits
  - id: check
    phase: check
    type: script
    command: [sh, -c, 'echo checked']
`;

const SHARED_TEMPLATE = `name: Shared
workspace: shared
phases: [write]
steps:
  - { id: agent, phase: write, type: agent, agent: claude, prompt: hi }
`;

const SCRIPT_ONLY = `name: Script only
phases: [write]
steps:
  - { id: write, phase: write, type: script, command: [sh, -c, 'echo new > new.txt'] }
`;

/** A run that adds links to files outside its worktree, then an agent step. */
const LINK_TEMPLATE = `name: Links
phases: [write]
steps:
  - id: write
    phase: write
    type: script
    command: [sh, -c, 'ln -s /etc/passwd notes.md; ln -s /etc linked; printf "ok\\n" > plain.md']
  - { id: agent, phase: write, type: agent, agent: claude, prompt: hi }
`;

async function waitFor(s: TestServer, runId: string, done: (run: RunJson) => boolean) {
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data as RunJson;
    if (done(run)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never got there`);
}

interface RunJson {
  status: string;
  steps: Array<{
    id: string;
    step_id: string;
    name: string;
    phase: string;
    status: string;
    cost_usd: number | null;
    sequence: number;
  }>;
  comments: Array<{ text: string; workflow_run_step_id: string | null }>;
}

async function startRun(s: TestServer, identifier = "edit-notes") {
  const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
    .data as Array<{ id: string; identifier: string }>;
  const definition = definitions.find((d) => d.identifier === identifier);
  const created = await s.api("/api/workflow-executions", {
    body: { project_id: s.projectId, workflow_definition_id: definition?.id },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  return { id, run: await waitFor(s, id, (run) => run.status === "completed") };
}

const review = (s: TestServer, runId: string, body: unknown) =>
  s.api(`/api/workflow-executions/${runId}/review`, { body });

describe("review comments become a follow-up for the agent", () => {
  it("quotes a link the run added as its target, never the file it points to", async () => {
    server = await startTestServer({ projectDir: gitProject({ "links.yaml": LINK_TEMPLATE }) });
    const s = server;
    const { id } = await startRun(s, "links");
    const beyond = await review(s, id, { comments: [{ path: "notes.md", line: 2, body: "x" }] });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.message).toBe(
      "comments[0].line: notes.md has 1 lines in the run's version, not 2",
    );
    const sent = await review(s, id, {
      comments: [
        { path: "notes.md", line: 1, body: "Why link this?" },
        { path: "plain.md", line: 1, body: "Fine." },
      ],
    });
    expect(sent.status).toBe(202);
    await waitFor(s, id, (r) =>
      r.steps.some((step) => step.step_id === "review-1" && step.status === "completed"),
    );
    const prompt = JSON.parse(readFileSync(record, "utf8")).call.prompt as string;
    expect(prompt).toContain("> /etc/passwd");
    expect(prompt).toContain("> ok");
    expect(prompt).not.toContain("root:");
  });

  it("resumes the agent step's session in the worktree with the comments as the prompt", async () => {
    server = await startTestServer({
      projectDir: gitProject({ "edit-notes.yaml": EDIT_TEMPLATE }),
    });
    const s = server;
    const { id, run } = await startRun(s);
    const agentStep = run.steps.find((step) => step.step_id === "agent");
    const worktree = (await s.api(`/api/workflow-executions/${id}`)).body.data.workspace_path;

    const sent = await review(s, id, {
      summary: "Nearly there.",
      comments: [
        { path: "notes.md", line: 2, body: "Spell this out: `second`." },
        { path: "README.md", line: 1, side: "old", body: "Keep the old title." },
      ],
    });
    expect(sent.status).toBe(202);
    expect(sent.body.data).toMatchObject({
      step_key: "review-1",
      resumes_step_id: agentStep?.id,
      agent: "claude",
      session_id: "sess-1",
      comments: 2,
    });

    const after = await waitFor(s, id, (r) =>
      r.steps.some((step) => step.step_id === "review-1" && step.status === "completed"),
    );
    const followUp = after.steps.find((step) => step.step_id === "review-1");
    expect(followUp).toMatchObject({ name: "Review follow-up 1", phase: "write" });
    expect(followUp?.sequence).toBeGreaterThan(Math.max(...run.steps.map((st) => st.sequence)));
    // The fake CLI reports its cost like the real one: the follow-up counts toward the run.
    expect(followUp?.cost_usd).toBeGreaterThan(0);
    expect(after.status).toBe("completed");

    const call = JSON.parse(readFileSync(record, "utf8"));
    expect(call.cwd).toBe(worktree);
    expect(call.call.resume).toBe("sess-1");
    expect(call.argv).toContain("--permission-mode=acceptEdits");
    expect(call.call.prompt).toContain("Overall:\nNearly there.");
    expect(call.call.prompt).toContain(
      "1. README.md, removed line 1:\n   > # demo\n   Keep the old title.",
    );
    expect(call.call.prompt).toContain(
      "2. notes.md, line 2:\n   > two\n   Spell this out: `second`.",
    );

    // The comments sit on the step they answer.
    const onAgent = after.comments.filter((c) => c.workflow_run_step_id === agentStep?.id);
    expect(onAgent.map((c) => c.text)).toEqual([
      "**Review** · `notes.md:2`\n\nSpell this out: `second`.",
      "**Review** · `README.md:1` (removed line)\n\nKeep the old title.",
    ]);

    // The follow-up's log and files are there like any step's.
    for (const type of ["events", "input", "output"]) {
      const file = await fetch(`${s.url}/api/workflow-steps/${followUp?.id}/logs/${type}`);
      expect(file.status, type).toBe(200);
    }
    const events = await (
      await fetch(`${s.url}/api/workflow-steps/${followUp?.id}/logs/events`)
    ).text();
    expect(events).toContain('"kind":"agent"');

    // The engine ran it: the same files, result shape, summary format and events as the
    // template's agent step.
    const rows = await s.app.db.workflowRunStep.findMany({
      where: { id: { in: [agentStep?.id ?? "", followUp?.id ?? ""] } },
      include: { run: { include: { project: true } } },
    });
    const dirOf = (id: string | undefined) => {
      const row = rows.find((r) => r.id === id);
      return join(row?.run.project.path ?? "", row?.log_directory_path ?? "missing");
    };
    const templateDir = dirOf(agentStep?.id);
    const followUpDir = dirOf(followUp?.id);
    expect(readdirSync(followUpDir).sort()).toEqual(readdirSync(templateDir).sort());
    const output = (dir: string) => JSON.parse(readFileSync(join(dir, "output.json"), "utf8"));
    expect(Object.keys(output(followUpDir)).sort()).toEqual(
      Object.keys(output(templateDir)).sort(),
    );
    expect(Object.keys(output(followUpDir).data).sort()).toEqual(
      Object.keys(output(templateDir).data).sort(),
    );
    const summaryShape = (dir: string) =>
      readFileSync(join(dir, "summary.md"), "utf8")
        .split("\n")
        .map((line) => line.replace(/[`:].*$/, "").replace(/^# .*/, "#"));
    expect(summaryShape(followUpDir)).toEqual(summaryShape(templateDir));
    const kinds = (dir: string) =>
      new Set(
        readFileSync(join(dir, "events.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line).kind),
      );
    expect(kinds(followUpDir)).toEqual(kinds(templateDir));

    // A second review becomes review-2, resuming the same session.
    const again = await review(s, id, { comments: [{ path: "notes.md", line: 3, body: "ok?" }] });
    expect(again.body.data.step_key).toBe("review-2");
    await s.app.services.reviews.settled(id);
  });

  it("refuses reviews it cannot act on, with a message that says why", async () => {
    process.env.FAKE_AGENT_DELAY_MS = "150";
    server = await startTestServer({
      projectDir: gitProject({
        "edit-notes.yaml": EDIT_TEMPLATE,
        "shared.yaml": SHARED_TEMPLATE,
        "script-only.yaml": SCRIPT_ONLY,
      }),
    });
    const s = server;
    const { id } = await startRun(s);
    const bad = async (body: unknown, status: number, message: RegExp, runId = id) => {
      const response = await review(s, runId, body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error.message).toMatch(message);
    };
    await bad({ comments: [] }, 400, /at least one comment/);
    await bad({ comments: [{ path: "notes.md", line: 1, body: "  " }] }, 400, /body.*empty/);
    await bad({ comments: [{ path: "notes.md", line: 0, body: "x" }] }, 400, /line.*1 or more/);
    await bad({ comments: [{ path: "notes.md", line: 1.5, body: "x" }] }, 400, /whole number/);
    await bad({ comments: [{ path: "notes.md", line: 1, side: "left", body: "x" }] }, 400, /side/);
    await bad({ comments: [{ path: "notes.md", line: 1, body: "x", extra: 1 }] }, 400, /extra/);
    await bad(
      { comments: [{ path: "src/elsewhere.ts", line: 1, body: "x" }] },
      400,
      /comments\[0\]\.path: "src\/elsewhere.ts" is not a file this run changed/,
    );
    await bad(
      { comments: [{ path: "../../etc/passwd", line: 1, body: "x" }] },
      400,
      /is not a file this run changed/,
    );
    await bad(
      { comments: [{ path: "notes.md", line: 9, body: "x" }] },
      400,
      /comments\[0\]\.line: notes.md has 3 lines in the run's version, not 9/,
    );
    await bad(
      { comments: [{ path: "notes.md", line: 1, side: "old", body: "x" }] },
      400,
      /notes.md has 0 lines before/,
    );
    await bad(
      { comments: [{ path: "notes.md", line: 1, body: "x" }], step_id: "nope" },
      404,
      /has no step nope/,
    );
    await bad(
      { comments: [{ path: "notes.md", line: 1, body: "x" }] },
      404,
      /No workflow run/,
      "missing",
    );

    const shared = await startRun(s, "shared");
    await bad(
      { comments: [{ path: "notes.md", line: 1, body: "x" }] },
      409,
      /works in its project folder/,
      shared.id,
    );
    const scripted = await startRun(s, "script-only");
    await bad(
      { comments: [{ path: "new.txt", line: 1, body: "x" }] },
      409,
      /no agent step with a session/,
      scripted.id,
    );

    // While a follow-up runs, the worktree is its own: no second review, no resume, no merge.
    const first = await review(s, id, { comments: [{ path: "notes.md", line: 1, body: "x" }] });
    expect(first.status).toBe(202);
    await bad({ comments: [{ path: "notes.md", line: 1, body: "y" }] }, 409, /still running/);
    const merge = await s.api(`/api/workflow-executions/${id}/merge`, { body: {} });
    expect(merge.status).toBe(409);
    expect(merge.body.error.message).toMatch(/review follow-up is running/);
    await s.app.services.reviews.settled(id);
  });

  it("marks a follow-up a stopped server left running as failed at the next start", async () => {
    process.env.FAKE_AGENT_DELAY_MS = "400";
    server = await startTestServer({
      projectDir: gitProject({ "edit-notes.yaml": EDIT_TEMPLATE }),
    });
    const { id } = await startRun(server);
    process.env.FAKE_AGENT_SCENARIO = "hang";
    const sent = await review(server, id, { comments: [{ path: "notes.md", line: 1, body: "x" }] });
    expect(sent.status).toBe(202);
    // A step row left `running`, as a killed process leaves it.
    await server.app.db.workflowRunStep.update({
      where: { id: sent.body.data.step_id },
      data: { status: "running" },
    });
    const recovered = await server.app.services.reviews.recover();
    expect(recovered).toBe(1);
    const step = await server.app.db.workflowRunStep.findUniqueOrThrow({
      where: { id: sent.body.data.step_id },
    });
    expect(step.status).toBe("failed");
    expect(step.error_message).toMatch(/server stopped while this follow-up ran/);
    await server.close();
    server = undefined;
  });
});
