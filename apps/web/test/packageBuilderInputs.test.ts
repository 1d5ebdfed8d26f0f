import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LISTS: Record<string, string> = {
  "cycle.json": JSON.stringify([
    { name: "a", dependsOn: ["c"] },
    { name: "b", dependsOn: ["a"] },
    { name: "c", dependsOn: ["b"] },
    { name: "d" },
  ]),
  "unknown.json": JSON.stringify([{ name: "a", dependsOn: ["ghost"] }]),
  "nameless.json": JSON.stringify([{ dependsOn: [] }]),
  "broken.json": "[{ not json",
};

/** Runs package-builder on one list of LISTS (or a missing file) until it finishes. */
async function runBuilder(packagesFile: string) {
  server = await startTestServer({ projectDir: exampleProject(LISTS) });
  const s = server;
  const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
    .data as { id: string; identifier: string }[];
  const builder = definitions.find((d) => d.identifier === "package-builder");
  const created = await s.api("/api/workflow-executions", {
    body: {
      project_id: s.projectId,
      workflow_definition_id: builder?.id,
      args: { packagesFile, build: "echo building; exit 1", retryDelay: "10ms" },
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  for (let i = 0; i < 3_000; i++) {
    const run = (await s.api(`/api/workflow-executions/${id}`)).body.data;
    if (["completed", "failed", "cancelled"].includes(run.status)) {
      const runs = (await s.api(`/api/workflow-executions?project_id=${s.projectId}`)).body
        .data as unknown[];
      return { run, runCount: runs.length };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${id} never finished`);
}

// A bad package list stops the builder before any package builds (no child run, so the
// project holds only the builder's run), with a message saying what is wrong with it.
describe("package-builder with a bad package list", () => {
  it.each([
    ["a dependency cycle, naming its packages", "cycle.json", /dependency cycle among a, b, c/],
    ["a dependency not in the list, naming it", "unknown.json", /a depends on unknown ghost/],
    [
      "an entry without a name, naming the file and field",
      "nameless.json",
      /nameless\.json.*name/s,
    ],
    ["a list that is not JSON", "broken.json", /JSON/],
    ["a list file that does not exist, naming it", "missing.json", /missing\.json/],
  ])("fails on %s", async (_case, file, message) => {
    const { run, runCount } = await runBuilder(file);
    expect(run.status).toBe("failed");
    expect(run.error_message).toMatch(message);
    expect(runCount).toBe(1);
  });
});
