import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
const originalPath = process.env.PATH;
afterEach(async () => {
  await server?.close();
  server = undefined;
  process.env.PATH = originalPath;
});

/**
 * Seed 004's two examples call `pnpm install/build/test/deploy` in the project. A stand-in
 * `pnpm` first on PATH records each call (a real process, like the fake agents), so the
 * templates run unchanged without a real package to build or deploy.
 */
function recordingPnpm(): string {
  const bin = tempDir("bin");
  const log = join(bin, "calls.log");
  writeFileSync(join(bin, "pnpm"), `#!/bin/sh\necho "pnpm $*" >> "${log}"\n`);
  chmodSync(join(bin, "pnpm"), 0o755);
  process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
  return log;
}

async function runTemplate(identifier: string, args: Record<string, unknown>) {
  const s = server as TestServer;
  const created = await launchTemplate(s, identifier, args);
  expect(created.status).toBe(201);
  for (let i = 0; i < 1_000; i++) {
    const run = (await s.api(`/api/workflow-executions/${created.body.data.id}`)).body.data;
    if (["completed", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${identifier} never finished`);
}

describe("seed 004's example templates", () => {
  it("simple-pipeline.yaml runs its build, test and deploy scripts with the arguments", async () => {
    const calls = recordingPnpm();
    server = await startTestServer({ projectDir: exampleProject() });
    const run = await runTemplate("simple-pipeline", { environment: "staging" });
    expect(run.error_message).toBeNull();
    expect(run.status).toBe("completed");
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "pnpm install",
      "pnpm build",
      "pnpm test",
      "pnpm deploy --env staging",
    ]);
  });

  it("implement-feature.ts runs its agent steps with a fake claude, then tests and builds", async () => {
    const calls = recordingPnpm();
    server = await startTestServer({ projectDir: exampleProject() });
    const run = await runTemplate("implement-feature", {
      featureName: "dark mode",
      requirements: "follow the system setting",
    });
    expect(run.error_message).toBeNull();
    expect(run.status).toBe("completed");
    expect(run.steps.map((step: { step_id: string }) => step.step_id)).toEqual([
      "research-codebase",
      "create-spec",
      "implement",
      "run-tests",
      "build",
    ]);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual(["pnpm test", "pnpm build"]);
    const comments = (await server.api(`/api/workflow-executions/${run.id}/comments`)).body.data;
    expect(comments.map((c: { text: string }) => c.text)).toEqual([
      "Feature implementation complete!",
    ]);
  });
});
