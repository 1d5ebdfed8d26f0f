import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDbClient, type DbClient } from "./createDbClient.js";
import { SQLITE_BUSY_TIMEOUT_MS } from "./createSqliteAdapterFactory.js";
import { migrateDatabase } from "./migrations/migrateDatabase.js";

describe("createDbClient", () => {
  let dir: string;
  let db: DbClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "pb-db-"));
    const url = `file:${join(dir, "nested", "phaseboard.db")}`;
    await migrateDatabase({ url });
    db = createDbClient({ url });
  });

  afterEach(async () => {
    await db.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pragma(name: string): Promise<unknown> {
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
    return Object.values(rows[0] ?? {})[0];
  }

  it("opens the database in WAL mode with foreign keys on and a busy timeout", async () => {
    expect(await pragma("journal_mode")).toBe("wal");
    expect(Number(await pragma("foreign_keys"))).toBe(1);
    expect(Number(await pragma("busy_timeout"))).toBe(SQLITE_BUSY_TIMEOUT_MS);
  });

  it("enforces foreign keys: a run cannot point at a project that does not exist", async () => {
    await expect(
      db.workflowRun.create({
        data: {
          project_id: "missing",
          workflow_definition_id: "missing",
          name: "orphan",
          args: {},
          position: "a0",
        },
      }),
    ).rejects.toThrow();
  });

  it("stores a project, a template and a run with its steps, and cascades deletes", async () => {
    const project = await db.project.create({ data: { name: "demo", path: "/repo/demo" } });
    const definition = await db.workflowDefinition.create({
      data: {
        project_id: project.id,
        identifier: "simple-pipeline",
        name: "Simple Build Pipeline",
        type: "yaml",
        path: ".agent/workflows/definitions/simple-pipeline.yaml",
        phases: ["build", "test", "deploy"],
      },
    });
    const run = await db.workflowRun.create({
      data: {
        project_id: project.id,
        workflow_definition_id: definition.id,
        name: "Deploy to staging",
        args: { environment: "staging" },
        status: "waiting",
        position: "a0",
        steps: {
          create: [{ step_id: "install-deps", name: "Install", phase: "build", attempt: 2 }],
        },
      },
      include: { steps: true },
    });
    expect(run.steps[0]?.attempt).toBe(2);
    expect(run.args).toEqual({ environment: "staging" });

    await db.project.delete({ where: { id: project.id } });
    expect(await db.workflowRunStep.count()).toBe(0);
  });
});
