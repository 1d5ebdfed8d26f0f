import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { git, gitProject } from "./helpers/gitProject.js";
import { FEATURE_TEMPLATE, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runToCompletion(s: TestServer) {
  const created = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: s.definitionId,
      args: { featureName: "x" },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (let i = 0; i < 600; i++) {
    const run = (await s.api(`/api/workflow-executions/${created.body.data.id}`)).body.data;
    if (run.status === "completed") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the run never completed");
}

/** A committed repository whose .gitignore (if any) is the given text. */
function repository(ignore: string | undefined) {
  const dir = gitProject({ "implement-feature.yaml": FEATURE_TEMPLATE });
  if (ignore === undefined) rmSync(join(dir, ".gitignore"));
  else writeFileSync(join(dir, ".gitignore"), ignore);
  git(dir, "add", "-A");
  git(dir, "commit", "--quiet", "-m", "ignore file as given");
  return dir;
}

describe("run data and git", () => {
  it("adds .agent/workflows/executions/ to .gitignore on a repository's first run, so git add -A leaves run data out", async () => {
    const dir = repository("node_modules/\n");
    server = await startTestServer({ projectDir: dir });
    await runToCompletion(server);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toMatch(
      /^node_modules\/\n# .+\n\.agent\/workflows\/executions\/\n$/,
    );
    expect(existsSync(join(dir, ".agent", "workflows", "executions"))).toBe(true);
    git(dir, "add", "-A");
    expect(git(dir, "diff", "--cached", "--name-only").trim()).toBe(".gitignore");
  });

  it("leaves .gitignore alone when git already ignores run data", async () => {
    const dir = repository(".agent/\n");
    server = await startTestServer({ projectDir: dir });
    await runToCompletion(server);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(".agent/\n");
  });

  it("writes no .gitignore in a folder that is not a git repository", async () => {
    server = await startTestServer();
    await runToCompletion(server);
    expect(existsSync(join(server.projectDir, ".gitignore"))).toBe(false);
  });
});
