import { execFile, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { platform } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  loadOrCreateRequestIdentity,
  queryAdmin,
  type RequestIdentity,
  sqlText,
} from "@phaseboard/restate-backend";

const run = promisify(execFile);

/** The cluster's name; nodes of another name refuse to join it. */
export const CLUSTER_NAME = "phaseboard-local";
export const NODE_COUNT = 3;
/** Partitions of the cluster's key space (a new cluster's `default-num-partitions`). */
const PARTITIONS = 4;
/** How long `up` waits for all nodes to join (ms); a first start provisions the cluster. */
const JOIN_TIMEOUT_MS = 120_000;
/** How long `down` waits for a node to stop after SIGTERM before SIGKILL (ms). */
const STOP_TIMEOUT_MS = 20_000;

export interface NodePorts {
  /** Node-to-node and restatectl (`bind-address`). */
  cluster: number;
  /** Where clients invoke services. */
  ingress: number;
  /** Deployments, invocations (pause, cancel, …). */
  admin: number;
}

/** Node N (1-based) listens on N5122, N8080 and N9070, shifted by `offset`. */
export function nodePorts(node: number, offset = 0): NodePorts {
  return {
    cluster: node * 10_000 + 5122 + offset,
    ingress: node * 10_000 + 8080 + offset,
    admin: node * 10_000 + 9070 + offset,
  };
}

/**
 * A port offset (1–4000) at which all three nodes' ports are free on loopback now: a
 * cluster of its own for a test or a benchmark beside any other.
 */
export async function freePortOffset(): Promise<number> {
  for (;;) {
    const offset = 1 + Math.floor(Math.random() * 4_000);
    const ports = [1, 2, 3].flatMap((node) => Object.values(nodePorts(node, offset)));
    if ((await Promise.all(ports.map(isFreePort))).every(Boolean)) return offset;
  }
}

function isFreePort(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

export interface NodeStatus {
  name: string;
  pid: number | undefined;
  running: boolean;
  ports: NodePorts;
}

/** A command-line failure the CLI prints as one line. */
export class ClusterError extends Error {
  readonly code = "CLUSTER_FAILED";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClusterError";
  }
}

/**
 * A 3-node Restate cluster on loopback for development (replication 2, so it survives
 * the loss of one node), its data and logs under one folder. The servers run detached:
 * they outlive the command that started them, and `stop` finds them by their pid files.
 *
 * @example
 * const cluster = new LocalRestateCluster({ dir: "/home/me/.phaseboard/cluster" });
 * await cluster.start();
 * console.log(await cluster.members());
 * await cluster.stop();
 */
export class LocalRestateCluster {
  readonly dir: string;
  readonly offset: number;

  constructor(options: { dir: string; portOffset?: number }) {
    this.dir = options.dir;
    this.offset = options.portOffset ?? 0;
  }

  nodeNames(): string[] {
    return Array.from({ length: NODE_COUNT }, (_, index) => `n${index + 1}`);
  }

  /** The first node's admin API (any node's works). */
  get adminUrl(): string {
    return `http://127.0.0.1:${nodePorts(1, this.offset).admin}`;
  }

  get ingressUrl(): string {
    return `http://127.0.0.1:${nodePorts(1, this.offset).ingress}`;
  }

  /**
   * The key pair the nodes sign their calls to Phaseboard's endpoint with (made at the first
   * `start`); a worker serving the endpoint on this machine trusts its public key.
   */
  identity(): RequestIdentity {
    return loadOrCreateRequestIdentity(join(this.dir, "keys"));
  }

  /** The public key, if `start` has made the key pair. */
  publicKey(): string | undefined {
    return existsSync(join(this.dir, "keys", "request-identity.pem"))
      ? this.identity().publicKey
      : undefined;
  }

  status(): NodeStatus[] {
    return this.nodeNames().map((name, index) => {
      const pid = this.#pidOf(name);
      return {
        name,
        pid,
        running: pid !== undefined && isRestateServer(pid),
        ports: nodePorts(index + 1, this.offset),
      };
    });
  }

  /**
   * Starts the nodes that are not running and waits until all of them are cluster
   * members. Existing data is kept: a stopped cluster starts again where it was.
   */
  async start(): Promise<void> {
    const server = nativeBinary("restate-server");
    mkdirSync(this.dir, { recursive: true });
    const { privateKeyFile } = this.identity();
    for (const [index, node] of this.status().entries()) {
      if (node.running) continue;
      const config = join(this.dir, `${node.name}.toml`);
      writeFileSync(config, this.#config(index + 1, privateKeyFile));
      const log = openSync(join(this.dir, `${node.name}.log`), "a");
      const child = spawn(server, ["--no-logo", "-c", config], {
        detached: true,
        stdio: ["ignore", log, log],
        cwd: this.dir,
      });
      closeSync(log);
      const started = await new Promise<number>((resolve, reject) => {
        child.once("spawn", () => resolve(child.pid as number));
        child.once("error", reject);
      }).catch((error: Error) => {
        throw new ClusterError(`Could not start ${node.name}: ${error.message}`, { cause: error });
      });
      child.unref();
      writeFileSync(this.#pidFile(node.name), `${started}\n`);
    }
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    for (;;) {
      const down = this.status().filter((node) => !node.running);
      if (down.length > 0) {
        throw new ClusterError(
          `${down.map((node) => node.name).join(", ")} stopped during start: see ${join(this.dir, `${down[0]?.name}.log`)}`,
        );
      }
      const members = await this.members().catch(() => []);
      if (members.filter((member) => member.alive).length === NODE_COUNT) return;
      if (Date.now() > deadline) {
        throw new ClusterError(
          `The cluster did not form within ${JOIN_TIMEOUT_MS / 1000} s: see the node logs in ${this.dir}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  /** Stops every node (SIGTERM, then SIGKILL after a grace period); the data stays. */
  async stop(): Promise<string[]> {
    const stopped: string[] = [];
    await Promise.all(
      this.status().map(async (node) => {
        if (node.pid !== undefined && node.running) {
          signal(node.pid, "SIGTERM");
          const deadline = Date.now() + STOP_TIMEOUT_MS;
          while (isAlive(node.pid) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          if (isAlive(node.pid)) signal(node.pid, "SIGKILL");
          stopped.push(node.name);
        }
        rmSync(this.#pidFile(node.name), { force: true });
      }),
    );
    return stopped.sort();
  }

  /**
   * The cluster's nodes as `restatectl status` reports them: a node counts as alive when
   * its row shows an uptime and metadata membership.
   */
  async members(): Promise<{ name: string; alive: boolean }[]> {
    const output = await this.restatectl(["status"]);
    return this.nodeNames()
      .map((name) => {
        const line = output.split("\n").find((row) => new RegExp(`\\s${name}\\s`).test(row));
        if (!line) return undefined;
        return { name, alive: /\bMember\b/.test(line) && /\s\d+[smhd]\b/.test(line) };
      })
      .filter((member): member is { name: string; alive: boolean } => member !== undefined);
  }

  /**
   * The node (n1…n3) leading the partition that holds the invocation of `service` keyed
   * `key`, or undefined while it has not reached one: the partition of its key (the key
   * space is split evenly among the partitions), then that partition's leader as
   * `restatectl partitions list` shows it. `explain` collects what was read, for errors.
   */
  async leaderOf(
    service: string,
    key: string,
    explain: string[] = [],
  ): Promise<string | undefined> {
    let rows: { key?: string }[];
    try {
      rows = await queryAdmin<{ key?: string }>(
        this.adminUrl,
        `SELECT CAST(partition_key AS VARCHAR) AS key FROM sys_invocation_status WHERE target_service_name = ${sqlText(service)} AND target_service_key = ${sqlText(key)}`,
      );
    } catch (error) {
      // A busy node's query engine may close the connection mid-answer: not known yet.
      explain.push(`query failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    explain.push(JSON.stringify(rows));
    const partitionKey = rows[0]?.key;
    if (partitionKey === undefined) return undefined;
    const partitions = BigInt(PARTITIONS);
    const partition = String(BigInt(partitionKey) / ((1n << 64n) / partitions));
    try {
      const list = await this.restatectl(["partitions", "list"]);
      explain.push(`partition ${partition}\n${list}`);
      const leader = list
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .find((cells) => cells[0] === partition && cells[2] === "Leader")?.[1]
        ?.split(":")[0];
      if (!leader) return undefined;
      const status = await this.restatectl(["status"]);
      const row = status.split("\n").find((line) => line.trim().startsWith(`${leader}:`));
      return row?.trim().split(/\s+/)[1];
    } catch (error) {
      explain.push(`restatectl failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Runs restatectl against the first node; returns its standard output. */
  async restatectl(args: string[]): Promise<string> {
    const address = `http://127.0.0.1:${nodePorts(1, this.offset).cluster}/`;
    const { stdout } = await run(nativeBinary("restatectl"), ["-s", address, ...args], {
      timeout: 15_000,
      env: { ...process.env, NO_COLOR: "1", TERM: "dumb" },
    });
    return stdout;
  }

  #pidFile(name: string): string {
    return join(this.dir, `${name}.pid`);
  }

  #pidOf(name: string): number | undefined {
    const file = this.#pidFile(name);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  // The recipe in TOOLCHAIN.md: every node holds every role; node 1 provisions the cluster.
  #config(node: number, identityKeyFile: string): string {
    const ports = nodePorts(node, this.offset);
    const metadata = [1, 2, 3]
      .map((peer) => `"http://127.0.0.1:${nodePorts(peer, this.offset).cluster}/"`)
      .join(", ");
    return `node-name = "n${node}"
cluster-name = "${CLUSTER_NAME}"
base-dir = ${JSON.stringify(join(this.dir, `n${node}`))}
roles = ["http-ingress", "admin", "worker", "log-server", "metadata-server"]
auto-provision = ${node === 1}
default-replication = 2
default-num-partitions = ${PARTITIONS}
listen-mode = "tcp"
bind-address = "127.0.0.1:${ports.cluster}"
advertised-address = "http://127.0.0.1:${ports.cluster}/"
disable-telemetry = true
rocksdb-total-memory-size = "512 MiB"

[metadata-client]
type = "replicated"
addresses = [${metadata}]

[ingress]
bind-address = "127.0.0.1:${ports.ingress}"

[admin]
bind-address = "127.0.0.1:${ports.admin}"

# Every call to Phaseboard's endpoint is signed; the endpoint refuses unsigned ones.
[worker.invoker]
request-identity-private-key-pem-file = ${JSON.stringify(identityKeyFile)}
`;
  }
}

/** The native executable inside `@restatedev/<name>-<platform>-<arch>` (no download). */
function nativeBinary(name: "restate-server" | "restatectl"): string {
  const require = createRequire(wrapperPackageJson(name));
  const target = `@restatedev/${name}-${platform()}-${process.arch}/bin/${name}`;
  try {
    return require.resolve(target);
  } catch (error) {
    throw new ClusterError(
      `${target} is not installed (run pnpm install; supported: linux and macOS on x64 and arm64)`,
      { cause: error },
    );
  }
}

// The platform packages are optional dependencies of the wrapper packages.
function wrapperPackageJson(name: string): string {
  return createRequire(import.meta.url).resolve(`@restatedev/${name}/package.json`);
}

/** Alive, and (where /proc tells) still a restate-server, not a recycled pid. */
function isRestateServer(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  return !existsSync(cmdline) || readFileSync(cmdline, "utf8").includes("restate-server");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
