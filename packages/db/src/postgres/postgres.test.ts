import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDbClient, providerOfClient } from "../createDbClient.js";
import { createMigration } from "../migrations/createMigration.js";
import { diffMigrationsToSchema, migrateDatabase } from "../migrations/migrateDatabase.js";
import { defaultMigrationPaths, type MigrationPaths } from "../migrations/migrationPaths.js";
import { DatabaseUnreachableError } from "./checkPostgres.js";
import { openPostgresChannel } from "./openPostgresChannel.js";
import {
  findPostgresBinDir,
  type PostgresCluster,
  startPostgresCluster,
} from "./startPostgresCluster.js";

const installed = findPostgresBinDir() !== undefined;
if (!installed) {
  console.warn(
    "PostgreSQL tests skipped: no /usr/lib/postgresql/<version>/bin/initdb (apt-get install -y postgresql, or run `node scripts/setup.mjs --for-tests` as root)",
  );
}

describe.skipIf(!installed)("PostgreSQL", () => {
  let cluster: PostgresCluster;
  let databases = 0;
  const freshDatabase = () => cluster.createDatabase(`db_test_${++databases}`);

  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("prisma/postgresql-migrations produce exactly schema.prisma (no drift)", async () => {
    const drift = await diffMigrationsToSchema(defaultMigrationPaths, {
      provider: "postgresql",
      scratchUrl: await freshDatabase(),
    });
    expect(drift, "run `pnpm db:migration <name>` to write the missing migration").toBe("");
  });

  it("applies every migration to a new database once, and nothing the second time", async () => {
    const url = await freshDatabase();
    const first = await migrateDatabase({ url });
    const folders = readdirSync(defaultMigrationPaths.postgresMigrationsDir, {
      withFileTypes: true,
    })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders[0]).toMatch(/_init$/);
    expect(first.applied).toEqual(folders);
    expect(await migrateDatabase({ url })).toEqual({ applied: [] });
  });

  it("stores and cascades through the same client API as SQLite", async () => {
    const url = await freshDatabase();
    await migrateDatabase({ url });
    const db = createDbClient({ url });
    try {
      expect(providerOfClient(db)).toBe("postgresql");
      const project = await db.project.create({ data: { name: "demo", path: "/repo/demo" } });
      const definition = await db.workflowDefinition.create({
        data: {
          project_id: project.id,
          identifier: "simple",
          name: "Simple",
          type: "yaml",
          path: "simple.yaml",
          phases: ["build"],
        },
      });
      const run = await db.workflowRun.create({
        data: {
          project_id: project.id,
          workflow_definition_id: definition.id,
          name: "Run",
          args: { environment: "staging" },
          position: "a0",
          steps: { create: [{ step_id: "build", name: "Build", phase: "build" }] },
        },
        include: { steps: true },
      });
      expect(run.args).toEqual({ environment: "staging" });
      await db.project.delete({ where: { id: project.id } });
      expect(await db.workflowRunStep.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it("upgrades a database at an older migration in place at start, keeping its rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-pg-migrate-"));
    try {
      const paths: MigrationPaths = {
        schemaPath: join(dir, "prisma", "schema.prisma"),
        migrationsDir: join(dir, "prisma", "migrations"),
        postgresMigrationsDir: join(dir, "prisma", "postgresql-migrations"),
      };
      cpSync(defaultMigrationPaths.postgresMigrationsDir, paths.postgresMigrationsDir, {
        recursive: true,
      });
      cpSync(defaultMigrationPaths.schemaPath, paths.schemaPath);
      const url = await freshDatabase();
      await migrateDatabase({ url, paths });
      await withClient(url, (client) =>
        client.query(
          "INSERT INTO projects (id, name, path, updated_at) VALUES ($1, $2, $3, now())",
          ["p1", "demo", "/repo/demo"],
        ),
      );

      writeFileSync(
        paths.schemaPath,
        readFileSync(paths.schemaPath, "utf8").replace(
          "  path       String   @unique\n",
          '  path       String   @unique\n  color      String   @default("slate")\n',
        ),
      );
      const created = await createMigration("add_project_color", {
        paths,
        providers: ["postgresql"],
        postgresScratchUrl: await freshDatabase(),
      });
      expect(created?.sql).toContain('"color"');

      const { applied } = await migrateDatabase({ url, paths });
      expect(applied).toEqual([expect.stringMatching(/_add_project_color$/)]);
      const rows = await withClient(url, (client) =>
        client.query("SELECT id, name, color FROM projects"),
      );
      expect(rows.rows).toEqual([{ id: "p1", name: "demo", color: "slate" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("broadcasts messages of any length to the other listeners of a channel, not back to the sender", async () => {
    const url = await freshDatabase();
    const received: { a: string[]; b: string[] } = { a: [], b: [] };
    const a = await openPostgresChannel({
      url,
      channel: "board",
      onMessage: (m) => received.a.push(m),
    });
    const b = await openPostgresChannel({
      url,
      channel: "board",
      onMessage: (m) => received.b.push(m),
    });
    try {
      // Far beyond one NOTIFY payload (8,000 bytes), with multi-byte characters and the separator.
      const long = `${"é|ü".repeat(9_000)}end`;
      await a.send("short");
      await a.send(long);
      await b.send("from b");
      await waitFor(() => received.b.length === 2 && received.a.length === 1);
      expect(received.b).toEqual(["short", long]);
      expect(received.a).toEqual(["from b"]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("reconnects a listener whose connection dropped, says so, and hears messages again", async () => {
    const url = await freshDatabase();
    const received: string[] = [];
    let reconnects = 0;
    const listener = await openPostgresChannel({
      url,
      channel: "dropped",
      onMessage: (m) => received.push(m),
      onError: () => undefined,
      onReconnect: () => {
        reconnects++;
      },
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN dropped'",
      );
      expect(rowCount).toBe(1);
      await waitFor(() => reconnects === 1);
      const sender = await openPostgresChannel({ url, channel: "dropped", onMessage: () => {} });
      try {
        await sender.send("after the drop");
        await waitFor(() => received.length === 1);
        expect(received).toEqual(["after the drop"]);
      } finally {
        await sender.close();
      }
    } finally {
      await admin.end();
      await listener.close();
    }
  });

  it("names host:port when PostgreSQL is unreachable, and creates nothing", async () => {
    const port = await closedPort();
    const url = `postgresql://postgres:secret@127.0.0.1:${port}/board`;
    const failure = migrateDatabase({ url });
    await expect(failure).rejects.toThrow(DatabaseUnreachableError);
    await expect(failure).rejects.toThrow(
      `Cannot reach PostgreSQL at 127.0.0.1:${port}/board: connection refused`,
    );
    await expect(failure).rejects.not.toThrow("secret");
  });

  it("says so when the database does not exist, without creating it", async () => {
    const url = `postgresql://postgres@127.0.0.1:${cluster.port}/no_such_board`;
    await expect(migrateDatabase({ url })).rejects.toThrow(
      `Cannot reach PostgreSQL at 127.0.0.1:${cluster.port}/no_such_board: that database does not exist`,
    );
    const names = await withClient(cluster.url, (client) =>
      client.query("SELECT datname FROM pg_database WHERE datname = 'no_such_board'"),
    );
    expect(names.rows).toEqual([]);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A loopback port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}
