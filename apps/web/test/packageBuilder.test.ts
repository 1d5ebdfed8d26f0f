import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Six packages need nothing, so without the limit more than four would build at once.
const GRAPH: Record<string, string[]> = {
  p1: [],
  p2: [],
  p3: [],
  p4: [],
  p5: [],
  p6: [],
  p7: ["p1", "p2"],
  p8: ["p3"],
  p9: ["p4", "p5"],
  p10: ["p7", "p8"],
  p11: ["p9", "p6"],
  p12: ["p10", "p11"],
};

// p5's first build fails (an agent step runs before the second attempt); each build takes
// a moment so that builds overlap.
const BUILD = [
  'n=$(cat .attempts 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > .attempts',
  'if [ "$PACKAGE" = p5 ] && [ "$n" -lt 2 ]; then echo "p5: syntax error" >&2; exit 1; fi',
  "sleep 0.3; mkdir -p out; echo built > out/done",
].join("; ");

async function waitForRun(s: TestServer, runId: string, statuses: string[]) {
  for (let i = 0; i < 3_000; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (statuses.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never reached ${statuses.join("/")}`);
}

describe("package-builder", () => {
  it("builds 12 packages as child runs, never before their dependencies, never more than 4 at once", async () => {
    const files: Record<string, string> = {
      "packages.json": JSON.stringify(
        Object.entries(GRAPH).map(([name, dependsOn]) => ({ name, dependsOn })),
      ),
      // p3 was built before: its pre-flight check ends its run early.
      "packages/p3/out/done": "built\n",
    };
    for (const name of Object.keys(GRAPH)) files[`packages/${name}/README`] = name;
    const projectDir = exampleProject(files);
    server = await startTestServer({ projectDir, concurrency: 8 });
    const s = server;
    const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
      .data as { id: string; identifier: string }[];
    const builder = definitions.find((d) => d.identifier === "package-builder");
    const created = await s.api("/api/workflow-executions", {
      body: {
        project_id: s.projectId,
        workflow_definition_id: builder?.id,
        args: {
          build: BUILD,
          test: "test -f out/done",
          builtMarker: "out/done",
          retryDelay: "10ms",
        },
      },
    });
    expect(created.status).toBe(201);
    const parent = await waitForRun(s, created.body.data.id, ["completed", "failed"]);
    expect(parent.error_message).toBeNull();
    expect(parent.status).toBe("completed");
    expect(parent.result.built).toHaveLength(12);
    expect(parent.state).toMatchObject({ total: 12, queued: 0, active: 0, built: 12, failed: 0 });

    const children = await s.app.db.workflowRun.findMany({
      where: { parent_run_id: parent.id },
      include: { steps: true },
    });
    expect(children).toHaveLength(12);
    const byPackage = new Map(children.map((run) => [run.name.replace(/^Build /, ""), run]));
    for (const [name, dependsOn] of Object.entries(GRAPH)) {
      const run = byPackage.get(name);
      expect(run?.status, name).toBe("completed");
      for (const dependency of dependsOn) {
        const before = byPackage.get(dependency)?.completed_at?.getTime() ?? Infinity;
        expect(run?.started_at?.getTime(), `${name} after ${dependency}`).toBeGreaterThanOrEqual(
          before,
        );
      }
    }
    // The most builds running at any moment, from the recorded start and end times.
    const edges = children.flatMap((run) => [
      { at: run.started_at?.getTime() ?? 0, delta: 1 },
      { at: run.completed_at?.getTime() ?? 0, delta: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let most = 0;
    for (const edge of edges) {
      running += edge.delta;
      most = Math.max(most, running);
    }
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThan(1);

    const stepsOf = (name: string) =>
      byPackage
        .get(name)
        ?.steps.map((step) => step.step_id)
        .sort();
    expect(stepsOf("p3")).toEqual(["preflight", "report"]);
    expect(stepsOf("p5")).toEqual(
      ["build-1", "build-2", "preflight", "remediate-1", "report", "test", "wait-1"].sort(),
    );
    expect(existsSync(join(projectDir, "packages", "p12", "out", "done"))).toBe(true);
  });

  it("fails the build of a package that never builds, skips what depends on it, and reports", async () => {
    const projectDir = exampleProject({
      "packages.json": JSON.stringify([
        { name: "core", dependsOn: [] },
        { name: "app", dependsOn: ["core"] },
      ]),
      "packages/core/README": "core",
      "packages/app/README": "app",
    });
    server = await startTestServer({ projectDir });
    const s = server;
    const created = await launchTemplate(s, "package-builder", {
      build: "echo broken >&2; exit 2",
      attempts: 2,
      retryDelay: "10ms",
    });
    const parent = await waitForRun(s, created.body.data.id, ["completed", "failed"]);
    expect(parent.status).toBe("failed");
    expect(parent.error_message).toContain("not every package built: core, app");
    const core = await s.app.db.workflowRun.findFirstOrThrow({
      where: { parent_run_id: parent.id },
      include: { steps: true },
    });
    expect(core.status).toBe("failed");
    expect(core.error_message).toContain("core did not build after 2 attempts");
    expect(core.steps.find((step) => step.step_id === "report")?.status).toBe("completed");
    const comments = await s.app.db.workflowComment.findMany({
      where: { workflow_run_id: parent.id },
    });
    expect(comments.map((c) => c.text)).toEqual([
      "Built 0 of 2 packages; failed: core; skipped (a dependency failed): app",
    ]);
  });
});
