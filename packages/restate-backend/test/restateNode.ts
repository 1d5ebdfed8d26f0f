import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { platform, tmpdir } from "node:os";
import { join } from "node:path";
import { registerDeployment } from "../src/restateAdmin.js";
import { type RestateEndpointServer, serveRestateEndpoint } from "../src/serveRestateEndpoint.js";

/** The restate-server binary of the platform package, or why it is not there. */
export function restateServerBinary(): { path: string } | { missing: string } {
  try {
    const wrapper = createRequire(import.meta.url).resolve(
      "@restatedev/restate-server/package.json",
    );
    const name = `@restatedev/restate-server-${platform()}-${process.arch}/bin/restate-server`;
    return { path: createRequire(wrapper).resolve(name) };
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}

/** `count` distinct free ports (held open together, so the OS cannot hand one out twice). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface RestateNode {
  ingress: string;
  admin: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** One restate-server node with its data in `baseDir`, on free loopback ports. */
export async function startRestateNode(
  binary: string,
  baseDir: string,
  options: { identityKeyFile?: string } = {},
): Promise<RestateNode> {
  const [fabric, ingress, admin] = await freePorts(3);
  const config = join(baseDir, "node.toml");
  writeFileSync(
    config,
    `node-name = "n1"
cluster-name = "phaseboard-test"
base-dir = "${join(baseDir, "data")}"
auto-provision = true
default-replication = 1
default-num-partitions = 2
listen-mode = "tcp"
bind-address = "127.0.0.1:${fabric}"
advertised-address = "http://127.0.0.1:${fabric}/"
disable-telemetry = true
rocksdb-total-memory-size = "256 MiB"
[ingress]
bind-address = "127.0.0.1:${ingress}"
[admin]
bind-address = "127.0.0.1:${admin}"
${
  options.identityKeyFile
    ? `[worker.invoker]\nrequest-identity-private-key-pem-file = ${JSON.stringify(options.identityKeyFile)}\n`
    : ""
}`,
  );
  const child = spawn(binary, ["--no-logo", "-c", config], { stdio: "ignore" });
  const node: RestateNode = {
    ingress: `http://127.0.0.1:${ingress}`,
    admin: `http://127.0.0.1:${admin}`,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`restate-server exited with ${child.exitCode}`);
    const ok = await Promise.all([
      fetch(`${node.admin}/health`).then(
        (r) => r.ok,
        () => false,
      ),
      fetch(`${node.ingress}/restate/health`).then(
        (r) => r.ok,
        () => false,
      ),
    ]);
    if (ok.every(Boolean)) return node;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await node.stop();
  throw new Error("restate-server did not become healthy");
}

/** A stand-in `pnpm` on the worker's PATH: logs each start; `build` waits while `hold` exists. */
export function fakePnpm(dir: string): { starts: () => string[]; hold: string } {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const log = join(dir, "starts.log");
  const hold = join(dir, "hold");
  writeFileSync(
    join(bin, "pnpm"),
    `#!/bin/sh
echo "$1" >> '${log}'
if [ "$1" = "build" ]; then
  while [ -f '${hold}' ]; do sleep 0.1; done
fi
echo "pnpm $*"
`,
  );
  chmodSync(join(bin, "pnpm"), 0o755);
  return {
    starts: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []),
    hold,
  };
}

/** One node with Phaseboard's engine endpoint registered, its data in a temp folder. */
export interface NodeWithEndpoint {
  node: RestateNode;
  /** Replaceable: a test closes it and serves a new one on its port to make runs replay. */
  endpoint: RestateEndpointServer;
  /** Stops the node and the endpoint and removes the node's data. */
  close(): Promise<void>;
}

/** {@link startRestateNode} plus an engine endpoint in this process, registered with it. */
export async function startNodeWithEndpoint(
  binary: string,
  name: string,
): Promise<NodeWithEndpoint> {
  const base = mkdtempSync(join(tmpdir(), `phaseboard-restate-${name}-`));
  const node = await startRestateNode(binary, base);
  const endpoint = await serveRestateEndpoint();
  await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
  const running: NodeWithEndpoint = {
    node,
    endpoint,
    close: async () => {
      await node.stop();
      // The endpoint a test may have put in place of the first (closed to replay a run).
      await running.endpoint.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
  return running;
}
