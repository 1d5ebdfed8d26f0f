import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** Where Debian's `postgresql` package puts the server binaries (one folder per major). */
const DEBIAN_POSTGRES_ROOT = "/usr/lib/postgresql";

/** A throwaway PostgreSQL cluster in a temp folder, listening on loopback only. */
export interface PostgresCluster {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  port: number;
  /** Creates a database (empty, or a copy of `template`) and returns its URL. */
  createDatabase(name: string, options?: { template?: string }): Promise<string>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The `bin` folder of the newest installed PostgreSQL, or undefined when there is none. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.PHASEBOARD_PG_BIN?.trim();
  if (configured) return existsSync(join(configured, "initdb")) ? configured : undefined;
  if (!existsSync(DEBIAN_POSTGRES_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_POSTGRES_ROOT)
    .filter((name) => existsSync(join(DEBIAN_POSTGRES_ROOT, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(DEBIAN_POSTGRES_ROOT, majors[0], "bin") : undefined;
}

/**
 * Starts a private PostgreSQL cluster in a temp folder on a free loopback port, for tests
 * and for writing PostgreSQL migrations. initdb refuses to run as root, so as root the
 * server runs as the `postgres` user, which then owns the folder.
 *
 * Durability is switched off (fsync, synchronous commit): the data is thrown away.
 *
 * @example
 * const cluster = await startPostgresCluster();
 * const url = await cluster.createDatabase("board");
 * await cluster.stop();
 */
export async function startPostgresCluster(
  options: { binDir?: string } = {},
): Promise<PostgresCluster> {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (!binDir) {
    throw new Error(
      `PostgreSQL is not installed (no ${DEBIAN_POSTGRES_ROOT}/<version>/bin/initdb): apt-get install -y postgresql`,
    );
  }
  const base = mkdtempSync(join(tmpdir(), "phaseboard-pg-"));
  const dataDir = join(base, "data");
  const socketDir = join(base, "socket");
  mkdirSync(socketDir);
  chmodSync(base, 0o755);
  const asRoot = process.getuid?.() === 0;
  const exec = async (command: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ["runuser", ["-u", "postgres", "--", join(binDir, command), ...args]]
      : [join(binDir, command), args];
    return run(file, argv, { timeout: 60_000 });
  };
  if (asRoot) await run("chown", ["-R", "postgres:", base]);
  const port = await freePort();
  try {
    await exec("initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--no-sync",
    ]);
    await exec("pg_ctl", [
      "-D",
      dataDir,
      "-o",
      `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      "-l",
      join(base, "postgres.log"),
      "-w",
      "start",
    ]);
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL from ${binDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name, options = {}) {
      for (const given of [name, options.template ?? "x"]) {
        if (!/^[a-z_][a-z0-9_]*$/.test(given)) throw new Error(`Not a database name: ${given}`);
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(
          `CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ""}`,
        );
      } finally {
        await client.end();
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await exec("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
