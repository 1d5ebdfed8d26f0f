import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { createSqliteAdapterFactory } from "../createSqliteAdapterFactory.js";
import { databaseProviderOf } from "../databaseLocation.js";
import { createMigrationPool } from "../postgres/createMigrationPool.js";

// The Prisma CLI would download a native schema engine, which is not reachable offline.
// The same engine ships as WebAssembly; it talks to SQLite through the driver adapter.
// The module is instantiated once per process: wasm-bindgen keeps it in module state.
let instantiated: Promise<void> | undefined;

// @types/node for Node 20 does not declare the WebAssembly global; this is the part we use.
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(
        bytes: Uint8Array,
        imports: Record<string, object>,
      ): Promise<{ instance: { exports: unknown } }>;
    };
  }
).WebAssembly;

function instantiateEngineModule(): Promise<void> {
  instantiated ??= (async () => {
    const require = createRequire(import.meta.url);
    const packageDir = dirname(require.resolve("@prisma/schema-engine-wasm"));
    const wasm = await readFile(join(packageDir, "schema_engine_bg.wasm"));
    const { instance } = await webAssembly.instantiate(wasm, { "./schema_engine_bg.js": bindings });
    const exports = instance.exports as { __wbindgen_start(): void };
    (bindings as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return instantiated;
}

export interface LoadedSchemaEngine {
  engine: SchemaEngine;
  /**
   * The engine reports driver failures as "External error id#N"; this puts the driver's
   * own message (for example "unable to open database file") back in its place.
   */
  explain(error: unknown): string;
  /** Frees the engine and closes the database connections it opened. */
  close(): Promise<void>;
}

/**
 * Starts a schema engine bound to the database at `url` (a SQLite file, or PostgreSQL for a
 * `postgresql://` URL). Call `close()` when done.
 */
export async function loadSchemaEngine(options: {
  url: string;
  schema: { path: string; content: string };
  onLog?: (line: string) => void;
}): Promise<LoadedSchemaEngine> {
  await instantiateEngineModule();
  const { SchemaEngine: Engine } = bindings as unknown as {
    SchemaEngine: typeof import("@prisma/schema-engine-wasm").SchemaEngine;
  };
  // engine.free() leaves the driver's connections open, and an open connection can keep
  // a lock that stalls the next one for the whole busy timeout: track and close them.
  const pool =
    databaseProviderOf(options.url) === "postgresql" ? createMigrationPool(options.url) : undefined;
  const inner: SqlMigrationAwareDriverAdapterFactory = pool
    ? new PrismaPg(pool)
    : createSqliteAdapterFactory(options.url);
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = await connect();
    opened.push(adapter);
    return adapter;
  };
  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => track(() => inner.connect()),
    connectToShadowDb: () => track(() => inner.connectToShadowDb()),
  });
  const closeConnections = async () => {
    await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()));
    if (pool && !pool.ended) await pool.end().catch(() => {});
  };
  const explain = (error: unknown): string => {
    const message = messageOf(error)
      .split("\n")
      .filter((line) => line.trim() !== "" && !/^\s+(\d+:|at )/.test(line))
      .join(" ")
      .replace(/\s+/g, " ")
      .trim();
    return message.replace(/External error id#(\d+)/g, (text, id: string) => {
      const record = factory.errorRegistry.consumeError(Number(id));
      return record ? firstLine(record.error) : text;
    });
  };
  try {
    const engine = await Engine.new(
      { datamodels: [[options.schema.path, options.schema.content]] },
      (line: string) => options.onLog?.(line),
      factory,
    );
    const close = async () => {
      engine.free();
      await closeConnections();
    };
    return { engine, explain, close };
  } catch (error) {
    await closeConnections();
    throw new Error(explain(error), { cause: error });
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

function firstLine(error: unknown): string {
  const message = messageOf(error);
  return message.split("\n")[0]?.trim() ?? message;
}
