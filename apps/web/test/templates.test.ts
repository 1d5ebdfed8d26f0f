import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { openSocket } from "./helpers/openSocket.js";
import { FEATURE_TEMPLATE, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Resolves after the catalog re-read the project and `check` holds. */
async function afterSync(
  s: TestServer,
  check: (definitions: Record<string, unknown>[]) => boolean,
) {
  for (;;) {
    const { body } = await s.api(`/api/workflow-definitions?project_id=${s.projectId}`);
    if (check(body.data)) return body.data as Record<string, unknown>[];
    await new Promise<void>((resolve) => {
      const off = s.app.services.catalog.onSynced(() => {
        off();
        resolve();
      });
    });
  }
}

describe("templates", () => {
  it("lists a project's templates with phases and args schema", async () => {
    server = await startTestServer();
    const { body } = await server.api(`/api/workflow-definitions?project_id=${server.projectId}`);
    expect(body.data).toEqual([
      expect.objectContaining({
        id: server.definitionId,
        name: "Implement Feature",
        type: "yaml",
        path: ".agent/workflows/definitions/implement-feature.yaml",
        phases: ["research", "implement", "test"],
        args_schema: expect.objectContaining({ required: ["featureName"] }),
        error: null,
      }),
    ]);
    const one = await server.api(`/api/workflow-definitions/${server.definitionId}`);
    expect(one.body.data.identifier).toBe("implement-feature");
  });

  it("follows added, edited, broken and removed files without a restart", async () => {
    server = await startTestServer();
    const client = await openSocket(`${server.url}/ws`);
    const dir = join(server.projectDir, ".agent", "workflows", "definitions");
    writeFileSync(
      join(dir, "deploy.yaml"),
      "name: Deploy\nphases: [ship]\nsteps:\n  - { id: go, phase: ship, type: script, command: 'true' }\n",
    );
    await afterSync(server, (defs) => defs.some((d) => d.name === "Deploy"));
    // Boards learn of it live.
    const changed = await client.waitFor((m) => m.type === "workflow.definitions.changed");
    expect(changed.data).toEqual({ project_id: server.projectId });
    client.socket.close();

    writeFileSync(
      join(dir, "deploy.yaml"),
      "name: Deploy Everything\nphases: [build, ship]\nsteps:\n  - { id: go, phase: ship, type: script, command: 'true' }\n",
    );
    const edited = await afterSync(server, (defs) =>
      defs.some((d) => d.name === "Deploy Everything"),
    );
    expect(edited.find((d) => d.name === "Deploy Everything")?.phases).toEqual(["build", "ship"]);

    writeFileSync(join(dir, "deploy.yaml"), "name: [unclosed\n");
    const broken = await afterSync(server, (defs) => defs.some((d) => d.error !== null));
    const error = broken.find((d) => d.error !== null);
    expect(error).toMatchObject({
      identifier: "deploy",
      path: ".agent/workflows/definitions/deploy.yaml",
    });
    expect((error?.error as { message?: string } | undefined)?.message).toBeTruthy();

    writeFileSync(
      join(dir, "deploy.yaml"),
      "name: Deploy Fixed\nphases: [ship]\nsteps:\n  - { id: go, phase: ship, type: script, command: 'true' }\n",
    );
    const fixed = await afterSync(server, (defs) => defs.some((d) => d.name === "Deploy Fixed"));
    expect(fixed.find((d) => d.name === "Deploy Fixed")?.error).toBeNull();

    rmSync(join(dir, "deploy.yaml"));
    const removed = await afterSync(server, (defs) => defs.length === 1);
    expect(removed[0]?.name).toBe("Implement Feature");
  });

  it("keeps syncing templates after a symlink loop appears in definitions/", async () => {
    server = await startTestServer();
    const dir = join(server.projectDir, ".agent", "workflows", "definitions");
    // a → b → a: Node's recursive watch fails on it with ELOOP.
    symlinkSync("b", join(dir, "a"));
    symlinkSync("a", join(dir, "b"));
    await new Promise((resolve) => setTimeout(resolve, 500));
    writeFileSync(
      join(dir, "after-loop.yaml"),
      "name: After The Loop\nphases: [a]\nsteps:\n  - { id: go, phase: a, type: script, command: 'true' }\n",
    );
    const synced = await afterSync(server, (defs) => defs.some((d) => d.name === "After The Loop"));
    expect(synced.map((d) => d.name)).toContain("Implement Feature");
  }, 60_000);

  it("picks up a definitions folder created after the project was registered", async () => {
    server = await startTestServer();
    const other = tempDir("late");
    const created = await server.api("/api/projects", { body: { name: "late", path: other } });
    const projectId = created.body.data.id as string;
    mkdirSync(join(other, ".agent", "workflows", "definitions"), { recursive: true });
    writeFileSync(
      join(other, ".agent", "workflows", "definitions", "late.yaml"),
      "name: Late\nphases: [a]\nsteps:\n  - { id: go, phase: a, type: script, command: 'true' }\n",
    );
    const s = server;
    for (;;) {
      const { body } = await s.api(`/api/workflow-definitions?project_id=${projectId}`);
      if (body.data.length === 1) break;
      await new Promise<void>((resolve) => {
        const off = s.app.services.catalog.onSynced(() => {
          off();
          resolve();
        });
      });
    }
  });

  it("refuses to start a run of a broken template with 409", async () => {
    server = await startTestServer({
      templates: { "bad.yaml": "phases: [a]\n", "ok.yaml": FEATURE_TEMPLATE },
    });
    const { body } = await server.api(`/api/workflow-definitions?project_id=${server.projectId}`);
    const bad = body.data.find((d: { identifier: string }) => d.identifier === "bad");
    expect(bad.error.message).toMatch(/bad\.yaml:1:1 name: is required/);
    const response = await server.api("/api/workflow-executions", {
      body: { project_id: server.projectId, workflow_definition_id: bad.id, args: {} },
    });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain("Template bad does not load");
  });
});

describe("webhook triggers", () => {
  it("starts a run with the template's secret and refuses a wrong one", async () => {
    process.env.PB_TEST_HOOK_SECRET = "hook-secret";
    server = await startTestServer();
    const wrong = await server.api(`/api/hooks/${server.definitionId}`, {
      body: { args: { featureName: "x" } },
      headers: { "x-phaseboard-secret": "guess" },
    });
    expect(wrong.status).toBe(401);
    expect(await server.app.db.workflowRun.count()).toBe(0);
    const right = await server.api(`/api/hooks/${server.definitionId}`, {
      body: { args: { featureName: "from-hook" } },
      headers: { "x-phaseboard-secret": "hook-secret" },
    });
    expect(right.status).toBe(201);
    expect(right.body.data.args).toEqual({ featureName: "from-hook" });
    const badArgs = await server.api(`/api/hooks/${server.definitionId}`, {
      body: { args: {} },
      headers: { "x-phaseboard-secret": "hook-secret" },
    });
    expect(badArgs.status).toBe(400);
    delete process.env.PB_TEST_HOOK_SECRET;
  });
});

describe("cron triggers", () => {
  it("starts runs on the template's schedule", async () => {
    server = await startTestServer({
      templates: {
        "nightly.yaml":
          "name: Nightly\nphases: [check]\nsteps:\n  - { id: go, phase: check, type: script, command: 'true' }\ntriggers:\n  - { type: cron, schedule: '* * * * * *', args: { from: cron } }\n",
      },
    });
    const s = server;
    const run = await new Promise<{ args: unknown }>((resolve) => {
      const off = s.app.services.hub.subscribe((event) => {
        if (event.type !== "workflow.execution.created") return;
        off();
        void s.app.db.workflowRun
          .findUniqueOrThrow({ where: { id: event.data.execution_id } })
          .then(resolve);
      });
    });
    expect(run.args).toEqual({ from: "cron" });
  });
});
