import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

const webDir = join(import.meta.dirname, "..");
const tsx = join(webDir, "node_modules", ".bin", "tsx");

/** One step that writes `start <pid>` when it begins and `end <pid>` when it is done. */
const RECORDING_TEMPLATE = `name: Recording
phases: [work]
steps:
  - id: work
    phase: work
    type: script
    command: echo start $$ >> starts.log; while [ ! -f release ]; do sleep 0.05; done; sleep 0.3; echo end $$ >> starts.log
`;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("a step's process group after kill -9 of the server", () => {
  it("is ended before the restarted server runs the step again: starts and ends never overlap", async () => {
    const first = await startTestServer({ templates: { "recording.yaml": RECORDING_TEMPLATE } });
    await first.close();
    const log = join(first.projectDir, "starts.log");
    const lines = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
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
    const [, url] = await doomed.waitForOutput(/running at (http:\/\/\S+)/, 120_000);
    const created = await fetch(`${url}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        project_id: first.projectId,
        workflow_definition_id: first.definitionId,
        args: {},
      }),
    });
    const runId = ((await created.json()) as { data: { id: string } }).data.id;
    await until(() => lines().length === 1, "the first start");
    // The server dies; the step's own group (detached, so cancel can signal it) lives on.
    process.kill(-(doomed.child.pid as number), "SIGKILL");
    await doomed.exited;
    await new Promise((resolve) => setTimeout(resolve, 700));
    server = await startTestServer({ restart: first, leaseMs: 500 });
    await until(() => lines().length === 2, "the step to start again");
    writeFileSync(join(first.projectDir, "release"), "");
    for (let i = 0; i < 3_000; i++) {
      const run = await server.app.db.workflowRun.findUniqueOrThrow({ where: { id: runId } });
      if (run.status === "completed") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Time for an orphan, had there been one, to write its end too.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const [firstStart, secondStart, ...rest] = lines();
    const firstPid = firstStart?.split(" ")[1];
    const secondPid = secondStart?.split(" ")[1];
    expect(firstStart).toMatch(/^start \d+$/);
    expect(secondStart).toMatch(/^start \d+$/);
    // Only the second run of the step ended: the first was ended before it started.
    expect(rest).toEqual([`end ${secondPid}`]);
    expect(firstPid).not.toBe(secondPid);
    const events = readFileSync(
      join(
        first.projectDir,
        ".agent",
        "workflows",
        "executions",
        runId,
        "logs",
        "work",
        "events.jsonl",
      ),
      "utf8",
    );
    expect(events).toContain(`ended process group ${firstPid}`);
  }, 300_000);
});
