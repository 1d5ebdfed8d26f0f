/**
 * The same no-op durable step on a Restate single node, for side-by-side figures: a
 * service handler that makes N `ctx.run` calls, invoked through the ingress; per added
 * step = (median time for N steps − median time for 1 step) / (N − 1).
 *
 * Restate is not a dependency of this repository (its server package is a large binary):
 * install it anywhere and point RESTATE_MODULES at that node_modules, e.g.
 *   npm install --prefix /tmp/restate @restatedev/restate-server@1.7.12 \
 *     @restatedev/restate-sdk@1.17.2
 *   RESTATE_MODULES=/tmp/restate/node_modules pnpm bench
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
    server.on("error", reject);
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Per added `ctx.run` step on a Restate single node, in µs; undefined when not installed. */
export async function restatePerStep(steps: number, rounds: number): Promise<number | undefined> {
  const modules = process.env.RESTATE_MODULES;
  if (!modules) return undefined;
  const require = createRequire(join(modules, "noop.js"));
  // One log line per invocation would drown the figures.
  process.env.RESTATE_LOGGING ??= "ERROR";
  // Node 20 lacks Promise.withResolvers, which the SDK uses.
  const P = Promise as unknown as { withResolvers?: unknown };
  P.withResolvers ??= () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  // Typed here: the SDK is not a dependency, so its types are not installed with the repo.
  interface RunContext {
    run(name: string, fn: () => Promise<unknown>): Promise<unknown>;
  }
  const restate = (await import(
    pathToFileURL(require.resolve("@restatedev/restate-sdk")).href
  )) as {
    service(definition: {
      name: string;
      handlers: Record<string, (ctx: RunContext, n: number) => Promise<unknown>>;
    }): unknown;
    serve(options: { services: unknown[]; port: number }): Promise<unknown>;
  };
  const binary = require.resolve("@restatedev/restate-server-linux-x64/bin/restate-server");
  const [ingress, admin, node, endpoint] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "phaseboard-restate-"));
  const config = join(dir, "restate.toml");
  writeFileSync(
    config,
    [
      `node-name = "bench"`,
      `base-dir = "${join(dir, "data")}"`,
      `auto-provision = true`,
      `default-num-partitions = 1`,
      `disable-telemetry = true`,
      `listen-mode = "tcp"`,
      `bind-address = "127.0.0.1:${node}"`,
      `advertised-address = "http://127.0.0.1:${node}/"`,
      `rocksdb-total-memory-size = "256 MiB"`,
      `[ingress]`,
      `bind-address = "127.0.0.1:${ingress}"`,
      `[admin]`,
      `bind-address = "127.0.0.1:${admin}"`,
    ].join("\n"),
  );
  let server: ChildProcess | undefined;
  const service = restate.service({
    name: "bench",
    handlers: {
      steps: async (ctx: RunContext, n: number) => {
        for (let i = 0; i < n; i++) await ctx.run(`s${i}`, async () => null);
        return n;
      },
    },
  });
  const sdk = await restate.serve({ services: [service], port: endpoint });
  try {
    server = spawn(binary, ["--no-logo", "-c", config], { stdio: "ignore" });
    await waitFor(`http://127.0.0.1:${admin}/health`, 60_000);
    const registered = await fetch(`http://127.0.0.1:${admin}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: `http://127.0.0.1:${endpoint}`, force: true }),
    });
    if (!registered.ok)
      throw new Error(`register: ${registered.status} ${await registered.text()}`);
    const call = async (n: number) => {
      const t = process.hrtime.bigint();
      const response = await fetch(`http://127.0.0.1:${ingress}/bench/steps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(n),
      });
      if (!response.ok) throw new Error(`invoke: ${response.status} ${await response.text()}`);
      await response.text();
      return Number(process.hrtime.bigint() - t) / 1000;
    };
    await call(1);
    await call(steps);
    const one: number[] = [];
    const many: number[] = [];
    for (let i = 0; i < rounds; i++) {
      one.push(await call(1));
      many.push(await call(steps));
    }
    return (median(many) - median(one)) / (steps - 1);
  } finally {
    server?.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (server && server.exitCode === null) server.kill("SIGKILL");
    void sdk;
    rmSync(dir, { recursive: true, force: true });
  }
}
