import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PACKAGES = ["a", "b", "c", "d", "e", "f"];

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 1_200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function builtLog(projectDir: string): string[] {
  try {
    return readFileSync(join(projectDir, "built.log"), "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

describe("continuous-builder and scheduled-poller", () => {
  it("builds what the poller hands it, survives a restart mid-queue, continues as new, drains", async () => {
    const projectDir = exampleProject({ ".agent/inbox/packages.txt": `${PACKAGES.join("\n")}\n` });
    server = await startTestServer({ projectDir });
    const first = server;
    const definitions = (await first.api(`/api/workflow-definitions?project_id=${first.projectId}`))
      .body.data as { id: string; identifier: string }[];
    const idOf = (identifier: string) => definitions.find((d) => d.identifier === identifier)?.id;
    const start = (s: TestServer, identifier: string, args: Record<string, unknown>) =>
      s.api("/api/workflow-executions", {
        body: { project_id: s.projectId, workflow_definition_id: idOf(identifier), args },
      });

    const builder = await start(first, "continuous-builder", {
      build: 'sleep 0.2; echo "$PACKAGE" >> built.log',
      continueEvery: 4,
    });
    const builderId = builder.body.data.id as string;
    await until("the builder to wait for work", async () => {
      const run = (await first.api(`/api/workflow-executions/${builderId}`)).body.data;
      return run.status === "waiting" ? run : undefined;
    });

    const poller = await start(first, "scheduled-poller", {});
    const pollerRun = await until("the poller to finish", async () => {
      const run = (await first.api(`/api/workflow-executions/${poller.body.data.id}`)).body.data;
      return run.status === "completed" || run.status === "failed" ? run : undefined;
    });
    expect(pollerRun.status).toBe("completed");
    expect(readFileSync(join(projectDir, ".agent/inbox/packages.txt"), "utf8")).toBe("");

    // Restart while packages are still queued.
    await until("two packages to be built", async () =>
      builtLog(projectDir).length >= 2 ? true : undefined,
    );
    await first.close();
    server = await startTestServer({ restart: first });
    const second = server;

    // Everything built, across the continuation, and the newest run waits for more.
    const builders = async () =>
      second.app.db.workflowRun.findMany({
        where: { workflow_definition_id: idOf("continuous-builder") },
        orderBy: { created_at: "asc" },
      });
    const current = await until("all six packages", async () => {
      const runs = await builders();
      const last = runs.at(-1);
      const state = last?.state as { done?: number; failed?: number } | null;
      return runs.length === 2 && last?.status === "waiting" && state?.done === 6
        ? last
        : undefined;
    });
    expect(current.state).toMatchObject({ queue: 0, active: 0, done: 6, failed: 0 });
    const [original] = await builders();
    expect(original?.status).toBe("completed");

    await second.api(`/api/workflow-executions/${current.id}/signals/drain`, { body: {} });
    const drained = await until("the drain", async () => {
      const run = (await second.api(`/api/workflow-executions/${current.id}`)).body.data;
      return run.status === "completed" ? run : undefined;
    });
    expect(drained.result).toEqual({ done: 6, failed: 0 });
    // No package lost, none built twice.
    expect(builtLog(projectDir).sort()).toEqual(PACKAGES);
  });
});
