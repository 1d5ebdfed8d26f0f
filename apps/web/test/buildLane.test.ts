import { afterEach, describe, expect, it } from "vitest";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Ten one-step script templates: `quick-0` … `quick-9`. */
export function tenTemplates(): Record<string, string> {
  const templates: Record<string, string> = {};
  for (let i = 0; i < 10; i++) {
    templates[`quick-${i}.yaml`] = `name: Quick ${i}
phases: [work]
steps:
  - { id: hello, phase: work, type: script, command: "echo quick ${i}" }
`;
  }
  return templates;
}

const at = (value: string | null) => (value ? Date.parse(value) : Number.POSITIVE_INFINITY);

describe("the system lane", () => {
  it("runs a user's run at once after a first start, without waiting for any Build Workflow run", async () => {
    server = await startTestServer({
      env: { PHASEBOARD_BUILDS: "on", PHASEBOARD_CONCURRENCY: "1" },
      templates: tenTemplates(),
    });
    const s = server;
    // Every build is queued before the user's run.
    await s.app.services.builds?.settled();
    const systemId = s.app.services.builds?.systemProjectId;
    const queued = await s.app.db.workflowRun.count({ where: { project_id: systemId } });
    expect(queued).toBe(10);

    const launched = await launchTemplate(s, "quick-0", {});
    expect(launched.status).toBe(201);
    const runId = launched.body.data.id as string;
    let run = launched.body.data;
    for (let i = 0; i < 3_000 && run.status !== "completed"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    }
    expect(run.status).toBe("completed");

    const builds = await s.app.db.workflowRun.findMany({
      where: { project_id: systemId },
      select: { status: true, started_at: true, completed_at: true },
    });
    // The board still shows every build.
    expect(builds).toHaveLength(10);
    // Each user slot was free for it: it started before any build had finished, and it
    // finished while builds were still queued or running.
    const firstBuildDone = Math.min(
      ...builds.map((build) => at(build.completed_at?.toISOString() ?? null)),
    );
    expect(at(run.started_at)).toBeLessThan(firstBuildDone);
    const unfinished = builds.filter(
      (build) => !build.completed_at || at(run.completed_at) < build.completed_at.getTime(),
    );
    expect(unfinished.length).toBeGreaterThan(0);
  });
});
