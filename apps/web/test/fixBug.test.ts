import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runFixBug(args: Record<string, unknown>) {
  server = await startTestServer({ projectDir: exampleProject() });
  const s = server;
  const created = await launchTemplate(s, "fix-bug", args);
  expect(created.status).toBe(201);
  const runId = created.body.data.id as string;
  for (let i = 0; i < 1_000; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (run.status === "completed" || run.status === "failed") return { s, run };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("fix-bug never finished");
}

// Fails until it has run `n` times: the tests pass once the agent has had `n - 1` tries.
const passesOnRun = (n: number) =>
  `c=$(cat tries 2>/dev/null || echo 0); c=$((c+1)); echo "$c" > tries; [ "$c" -ge ${n} ] || { echo "1 test failed" >&2; exit 1; }`;

describe("fix-bug", () => {
  it("loops fix → test until the tests pass, then documents", async () => {
    const { s, run } = await runFixBug({
      bug: "Totals are off by one",
      reproduce: "echo 'expected 3, got 4' >&2; exit 1",
      test: passesOnRun(2),
    });
    expect(run.error_message).toBeNull();
    expect(run.status).toBe("completed");
    expect(
      run.steps.map(
        (step: { step_id: string; status: string }) => `${step.step_id}:${step.status}`,
      ),
    ).toEqual([
      "reproduce:failed",
      "fix:completed",
      "test:failed",
      "fix#2:completed",
      "test#2:completed",
      "document:completed",
      "gave-up:skipped",
    ]);
    expect(readFileSync(join(s.projectDir, "tries"), "utf8").trim()).toBe("2");
    // The agent is told what the reproduction printed.
    const input = JSON.parse(
      readFileSync(
        join(
          s.projectDir,
          ".agent",
          "workflows",
          "executions",
          run.id,
          "logs",
          "fix",
          "input.json",
        ),
        "utf8",
      ),
    );
    expect(input.input.prompt).toContain("Fix this bug: Totals are off by one");
    expect(input.input.prompt).toContain("expected 3, got 4");
  });

  it("gives up after three fixes with a comment and a failed run that says why", async () => {
    const { s, run } = await runFixBug({
      bug: "Totals are off by one",
      reproduce: "exit 1",
      test: "echo '1 test failed' >&2; exit 1",
    });
    expect(run.status).toBe("failed");
    expect(run.error_message).toContain('giving up: step "fix" was reached 4 times');
    expect(run.steps.filter((step: { step_id: string }) => /^fix/.test(step.step_id))).toHaveLength(
      3,
    );
    const comments = (await s.api(`/api/workflow-executions/${run.id}/comments`)).body.data as {
      text: string;
      comment_type: string;
    }[];
    expect(comments).toEqual([
      expect.objectContaining({
        comment_type: "system",
        text: expect.stringContaining("Gave up on “Totals are off by one”"),
      }),
    ]);
  });
});
