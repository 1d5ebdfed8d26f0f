import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  runDetailResponseSchema,
  serverMessageSchema,
  stepResponseSchema,
} from "@phaseboard/contracts";
import { runProcess } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { defaultExecutorFactory } from "../src/server/startServer.js";
import { openSocket } from "./helpers/openSocket.js";
import { GATED_TEMPLATE, scriptGate } from "./helpers/scriptGate.js";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

/** GATED_TEMPLATE with a step before the gate that leaves a mark each time it runs. */
const CRASH_TEMPLATE = GATED_TEMPLATE.replace(
  "steps:\n",
  "steps:\n  - { id: prepare, phase: research, type: script, command: 'echo once >> prepared-{{ args.featureName }}' }\n",
);

const webDir = join(import.meta.dirname, "..");
const tsx = join(webDir, "node_modules", ".bin", "tsx");

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The real server and executor, with one template whose step waits at a gate. */
async function startGatedServer(options: Parameters<typeof startTestServer>[0] = {}) {
  const started = await startTestServer({
    templates: { "gated.yaml": GATED_TEMPLATE },
    ...options,
  });
  return { server: started, gate: scriptGate(started.projectDir) };
}

async function createRun(s: TestServer, gate = "x") {
  const response = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: s.definitionId,
      args: { featureName: gate },
    },
  });
  return response.body.data.id as string;
}

async function statusOf(s: TestServer, runId: string): Promise<string> {
  return (await s.api(`/api/workflow-executions/${runId}`)).body.data.status;
}

async function waitForStatus(s: TestServer, runId: string, status: string): Promise<void> {
  for (let i = 0; i < 1_500; i++) {
    if ((await statusOf(s, runId)) === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} never became ${status} (is ${await statusOf(s, runId)})`);
}

describe("run manager", () => {
  it("runs a workflow to completion, persisting before each event, in order", async () => {
    const started = await startGatedServer();
    server = started.server;
    const client = await openSocket(`${server.url}/ws`);
    const runId = await createRun(server);
    await started.gate.reached("x");
    const running = await server.api(`/api/workflow-executions/${runId}`);
    expect(running.body.data).toMatchObject({
      status: "running",
      current_phase: "research",
      worker_id: expect.any(String),
    });
    expect(running.body.data.steps).toEqual([
      expect.objectContaining({ step_id: "research", status: "running" }),
    ]);
    started.gate.release("x");
    await client.waitFor(
      (m) => m.type === "workflow.execution.status_changed" && m.data.status === "completed",
    );
    expect(
      client.messages
        // Notifications for people (a run completed) are told apart from the run's own events.
        .filter(
          (m) => m.type.startsWith("workflow.") && m.type !== "workflow.execution.notification",
        )
        .map((m) => `${m.type}${m.data.status ? `:${m.data.status}` : ""}`),
    ).toEqual([
      "workflow.execution.created:pending",
      "workflow.execution.status_changed:running",
      "workflow.execution.phase_changed",
      "workflow.step.started",
      "workflow.step.progress",
      "workflow.step.completed:completed",
      "workflow.execution.status_changed:completed",
    ]);
    // Every message is exactly the shared contract the board parses.
    for (const message of client.messages) {
      expect(serverMessageSchema.safeParse(message).error, message.type).toBeUndefined();
    }
    const done = await server.api(`/api/workflow-executions/${runId}`);
    expect(runDetailResponseSchema.safeParse(done.body).error).toBeUndefined();
    const step = await server.api(`/api/workflow-steps/${done.body.data.steps[0].id}`);
    expect(stepResponseSchema.safeParse(step.body).error).toBeUndefined();
    expect(done.body.data).toMatchObject({
      status: "completed",
      worker_id: null,
      result: { steps: { research: { status: "completed", output: { stdout: "released\n" } } } },
    });
    expect(done.body.data.steps[0]).toMatchObject({
      status: "completed",
      completed_at: expect.any(String),
    });
    client.socket.close();
  });

  it("runs at most `concurrency` runs at once and starts queued ones as slots free", async () => {
    const { server: s1, gate } = await startGatedServer({ concurrency: 1 });
    server = s1;
    // Created back to back, so their queue drains overlap.
    const [a, b] = await Promise.all([createRun(s1, "a"), createRun(s1, "b")]);
    const first = await Promise.race([
      gate.reached("a").then(() => "a"),
      gate.reached("b").then(() => "b"),
    ]);
    const second = first === "a" ? "b" : "a";
    const secondId = first === "a" ? b : a;
    expect(s1.app.services.manager.activeCount).toBe(1);
    expect(await statusOf(s1, secondId)).toBe("pending");
    gate.release(first);
    await gate.reached(second);
    gate.release(second);
    await waitForStatus(s1, secondId, "completed");
    await waitForStatus(s1, first === "a" ? a : b, "completed");
  });

  it("renews the lease of a running run while its step runs", async () => {
    const { server: s1, gate } = await startGatedServer({ heartbeatIntervalMs: 20 });
    server = s1;
    const runId = await createRun(server);
    await gate.reached("x");
    const db = server.app.db;
    const first = (await db.workflowRun.findUniqueOrThrow({ where: { id: runId } })).heartbeat_at;
    for (;;) {
      const now = (await db.workflowRun.findUniqueOrThrow({ where: { id: runId } })).heartbeat_at;
      if (now && first && now > first) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    gate.release("x");
  });

  it("pauses a running run now and resumes it, rerunning only the interrupted step", async () => {
    const { server: s1, gate } = await startGatedServer();
    server = s1;
    const runId = await createRun(s1);
    await gate.reached("x");
    const paused = await s1.api(`/api/workflow-executions/${runId}/pause`, {
      body: { now: true },
    });
    expect(paused.body.data.status).toBe("paused");
    gate.reset("x");
    await s1.api(`/api/workflow-executions/${runId}/resume`, { method: "POST" });
    // The interrupted step starts again from the checkpoint, in a new process.
    await gate.reached("x");
    gate.release("x");
    await waitForStatus(s1, runId, "completed");
    const detail = await s1.api(`/api/workflow-executions/${runId}`);
    expect(detail.body.data.steps).toEqual([
      expect.objectContaining({ step_id: "research", status: "completed" }),
    ]);
  });

  it("parks running runs on close, and the next start resumes them to completion", async () => {
    const { server: first, gate } = await startGatedServer();
    const runId = await createRun(first);
    await gate.reached("x");
    // Closing the server (what SIGTERM does) interrupts the step and parks the run.
    await first.close();
    gate.reset("x");
    server = await startTestServer({ restart: first });
    await gate.reached("x");
    expect(await statusOf(server, runId)).toBe("running");
    gate.release("x");
    await waitForStatus(server, runId, "completed");
    const steps = (await server.api(`/api/workflow-executions/${runId}`)).body.data.steps;
    expect(steps).toEqual([expect.objectContaining({ step_id: "research", status: "completed" })]);
  });

  it("after kill -9 of the server, the next start takes over the expired lease and finishes the run", async () => {
    const first = await startTestServer({ templates: { "crash.yaml": CRASH_TEMPLATE } });
    const gate = scriptGate(first.projectDir);
    await first.close();
    // The same home and project, served by a separate process that will die mid-step.
    const doomed = runProcess(tsx, ["src/server/main.ts"], {
      cwd: webDir,
      env: {
        ...process.env,
        PHASEBOARD_HOME: first.config.home,
        PHASEBOARD_BUILDS: "off",
        PHASEBOARD_PROJECT: first.projectDir,
        PORT: "0",
        LOG_LEVEL: "warn",
      },
    });
    const [, url] = await doomed.waitForOutput(/running at (http:\/\/\S+)/);
    const created = await fetch(`${url}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        project_id: first.projectId,
        workflow_definition_id: first.definitionId,
        args: { featureName: "x" },
      }),
    });
    const runId = ((await created.json()) as { data: { id: string } }).data.id;
    await gate.reached("x");
    process.kill(-(doomed.child.pid as number), "SIGKILL");
    await doomed.exited;
    gate.reset("x");
    // The dead server's lease (heartbeat) must expire before anyone takes the run over.
    await new Promise((resolve) => setTimeout(resolve, 700));
    server = await startTestServer({ restart: first, leaseMs: 500 });
    await gate.reached("x");
    gate.release("x");
    await waitForStatus(server, runId, "completed");
    const run = await server.app.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.worker_id).toBeNull();
    // The step that finished before the crash did not run again.
    expect(readFileSync(join(first.projectDir, "prepared-x"), "utf8")).toBe("once\n");
    const steps = (await server.api(`/api/workflow-executions/${runId}`)).body.data.steps;
    expect(
      steps.map((step: { step_id: string; status: string }) => `${step.step_id}:${step.status}`),
    ).toEqual(["prepare:completed", "research:completed"]);
  });

  it("never lets a second process execute a run whose lease is alive", async () => {
    const { server: s1, gate } = await startGatedServer();
    server = s1;
    const runId = await createRun(s1);
    await gate.reached("x");
    // A second manager on the same database, as a second server process would have.
    const { RunManager } = await import("../src/server/domain/workflow/RunManager.js");
    const rival = new RunManager({
      db: s1.app.db,
      hub: s1.app.services.hub,
      catalog: s1.app.services.catalog,
      executorFactory: defaultExecutorFactory,
      workerId: "rival",
    });
    expect(await rival.recover()).toBe(0);
    // The claim is one conditional UPDATE, and it matches nothing while the lease lives.
    await rival.enqueue(runId, "resume");
    expect(rival.activeCount).toBe(0);
    expect(
      (await s1.app.db.workflowRun.findUniqueOrThrow({ where: { id: runId } })).worker_id,
    ).toBe(s1.app.services.manager.workerId);
    gate.release("x");
    await waitForStatus(s1, runId, "completed");
  });

  it("times a signal wait out at its deadline, also across a restart, with nobody signalling", async () => {
    const first = await startTestServer({
      templates: {
        "await-deploy.yaml": `name: Await deploy
phases: [wait]
steps:
  - { id: deployed, phase: wait, type: signal, signal: deployed, timeout: 2s }
`,
      },
    });
    const runId = await createRun(first);
    await waitForStatus(first, runId, "waiting");
    // The deadline is in the run's checkpoint: a new process arms it again.
    await first.close();
    server = await startTestServer({ restart: first });
    await waitForStatus(server, runId, "failed");
    const run = (await server.api(`/api/workflow-executions/${runId}`)).body.data;
    expect(run.error_message).toContain('signal "deployed" did not arrive within 2s');
  });

  it("hands a signal sent to a run that continued as new to its successor, and refuses one to a completed run", async () => {
    server = await startTestServer({
      templates: {
        "relay.ts": `import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";
export default defineWorkflow({
  name: "Relay",
  phases: ["relay"],
  argsSchema: z.object({ round: z.number().default(0) }),
  async execute(ctx) {
    const item = await ctx.waitForSignal("item", { phase: "relay" });
    if (ctx.args.round === 0) await ctx.continueAsNew({ round: 1 });
    return { round: ctx.args.round, item };
  },
});
`,
      },
    });
    const s = server;
    const first = (await launchTemplate(s, "relay", {})).body.data.id as string;
    await waitForStatus(s, first, "waiting");
    await s.api(`/api/workflow-executions/${first}/signals/item`, { body: { payload: "one" } });
    await waitForStatus(s, first, "completed");
    const runs = async () =>
      s.app.db.workflowRun.findMany({
        where: { project_id: s.projectId },
        orderBy: { created_at: "asc" },
      });
    let second: string | undefined;
    for (let i = 0; i < 500 && !second; i++) {
      const all = await runs();
      if (all.length === 2 && all[1]?.status === "waiting") second = all[1].id;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(second).toBeDefined();

    // Sent to the first run's id, the signal reaches the run that carries on its work.
    const relayed = await s.api(`/api/workflow-executions/${first}/signals/item`, {
      body: { payload: "two" },
    });
    expect(relayed.status).toBe(200);
    expect(relayed.body.data.id).toBe(second);
    await waitForStatus(s, second as string, "completed");
    const last = (await s.api(`/api/workflow-executions/${second}`)).body.data;
    expect(last.result).toEqual({ round: 1, item: "two" });
    // Both runs pinned the same bundle: one file on disk, linked from each run's folder.
    const bundleOf = (id: string) =>
      statSync(join(s.projectDir, ".agent/workflows/executions", id, "definition.bundle.mjs"));
    expect(bundleOf(first).ino).toBe(bundleOf(second as string).ino);

    // Now the chain has ended: a signal to either run is refused, nothing recorded.
    for (const id of [first, second as string]) {
      const refused = await s.api(`/api/workflow-executions/${id}/signals/item`, {
        body: { payload: "three" },
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: "RUN_ALREADY_ENDED" });
      expect(refused.body.error.message).toContain("has completed; it takes no more signals");
    }
  });

  it("runs a TypeScript template with zod arguments and its child run, each on its own card", async () => {
    server = await startTestServer({
      templates: {
        "release.ts": `import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";
export default defineWorkflow({
  name: "Release",
  phases: ["build", "ship"],
  argsSchema: z.object({ version: z.string(), dryRun: z.boolean().default(true) }),
  async execute(ctx) {
    const built = await ctx.step("build", { phase: "build", type: "script", command: ["echo", "built " + ctx.args.version] });
    const shipped = await ctx.run("ship", { target: "prod" }, { phase: "ship", name: "Ship " + ctx.args.version });
    return { built: built.data.stdout.trim(), child: shipped.status, dryRun: ctx.args.dryRun };
  },
});
`,
        "ship.yaml": `name: Ship
phases: [ship]
steps:
  - { id: push, phase: ship, type: script, command: "echo pushed {{ args.target }}" }
`,
      },
    });
    const s = server;
    const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
      .data as { id: string; identifier: string; error: unknown }[];
    const release = definitions.find((d) => d.identifier === "release");
    expect(release?.error).toBeNull();
    const bad = await s.api("/api/workflow-executions", {
      body: { project_id: s.projectId, workflow_definition_id: release?.id, args: {} },
    });
    expect(bad.body.error.message).toBe("args.version: is required");
    const created = await s.api("/api/workflow-executions", {
      body: {
        project_id: s.projectId,
        workflow_definition_id: release?.id,
        args: { version: "1.2" },
      },
    });
    const runId = created.body.data.id as string;
    await waitForStatus(s, runId, "completed");
    const parent = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    expect(parent.args).toEqual({ version: "1.2", dryRun: true });
    expect(parent.result).toEqual({ built: "built 1.2", child: "completed", dryRun: true });
    const child = await s.app.db.workflowRun.findFirstOrThrow({ where: { parent_run_id: runId } });
    expect(child).toMatchObject({ name: "Ship 1.2", status: "completed", worker_id: null });
    expect(child.started_at).not.toBeNull();
    expect(child.completed_at).not.toBeNull();
  });

  it("waits for approval, continues once approved through the API, and refuses an unknown run", async () => {
    server = await startTestServer({
      templates: {
        "ship.yaml": `name: Ship
phases: [review, ship]
steps:
  - { id: sign-off, phase: review, type: approval, message: Ship it? }
  - { id: push, phase: ship, type: script, command: echo shipped }
`,
      },
    });
    const s = server;
    const runId = await createRun(s);
    await waitForStatus(s, runId, "waiting");
    const waiting = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    expect(waiting.steps).toEqual([
      expect.objectContaining({ step_id: "sign-off", type: "approval", status: "waiting" }),
    ]);
    const unknown = await s.api("/api/workflow-executions/nope/approvals/sign-off", {
      body: { approved: true },
    });
    expect(unknown.status).toBe(404);
    const approved = await s.api(`/api/workflow-executions/${runId}/approvals/sign-off`, {
      body: { approved: true, comment: "go" },
    });
    expect(approved.status).toBe(200);
    await waitForStatus(s, runId, "completed");
    const done = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    expect(
      done.steps.map(
        (step: { step_id: string; status: string }) => `${step.step_id}:${step.status}`,
      ),
    ).toEqual(["sign-off:completed", "push:completed"]);
  });
});
