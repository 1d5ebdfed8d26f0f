import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Command } from "commander";
import { renderUnicodeCompact } from "uqr";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import { Output } from "../output/Output.js";
import { type ProjectOptions, withExamples, withProjectOption } from "../program/commandOptions.js";
import { findServeDir, invocationDir } from "../project/findProjectDir.js";
import { lanAddress } from "../serve/lanAddress.js";

interface ServeOptions extends ProjectOptions {
  port?: string;
  host?: string;
  lan?: boolean;
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description("start the server and the board for this project")
    .option("--port <port>", "TCP port (default 4100, or $PORT)")
    .option("--host <host>", "address to bind (default 127.0.0.1; others need PHASEBOARD_TOKEN)")
    .option(
      "--lan",
      "bind to this machine's LAN address with an access token, and print its URL and a QR code for a phone",
    )
    .action((options: ServeOptions) => serve(options));
  withProjectOption(command);
  withExamples(command, [
    "phaseboard serve",
    "phaseboard serve --port 4200 --project ~/code/my-repo",
    "PHASEBOARD_TOKEN=$(openssl rand -hex 16) phaseboard serve --host 0.0.0.0",
    "phaseboard serve --lan",
  ]);
}

async function serve(options: ServeOptions): Promise<void> {
  const port = options.port === undefined ? undefined : parsePort(options.port);
  const out = new Output({});
  if (options.lan && options.host) {
    throw new UsageError("--lan and --host: choose one (--lan picks the LAN address itself)", {
      code: "LAN_WITH_HOST",
    });
  }
  const lan = options.lan ? lanAddress() : undefined;
  if (options.lan && !lan) {
    throw new CommandFailedError(
      "--lan: this machine has no LAN address (no network interface with an IPv4 address besides loopback); join a network, or use --host",
      { code: "NO_LAN_ADDRESS" },
    );
  }
  // A token of the user's own (PHASEBOARD_TOKEN), else a new one for this server's life.
  const lanToken = lan
    ? (process.env.PHASEBOARD_TOKEN ?? randomBytes(24).toString("base64url"))
    : undefined;
  // Any folder can be served: the repository it is in, else the folder itself.
  const { dir: projectDir, gitRoot } = findServeDir(options);
  if (!gitRoot) {
    out.line(
      `${projectDir} is not in a git repository: runs work in this folder in place (no worktrees, diffs or merges)`,
    );
  }
  // The server is a dependency of `serve` only, loaded on demand so other commands stay light.
  const { loadConfig } = await import("@phaseboard/web/src/server/config.js");
  const { startServer } = await import("@phaseboard/web/src/server/startServer.js");
  const { describeStartupError } = await import(
    "@phaseboard/web/src/server/describeStartupError.js"
  );
  let config: ReturnType<typeof loadConfig> | undefined;
  try {
    config = loadConfig(
      {
        ...process.env,
        INIT_CWD: invocationDir(),
        // The request gate answers only the host names it knows: the LAN address is one.
        ...(lan &&
          lanToken && {
            PHASEBOARD_TOKEN: lanToken,
            PHASEBOARD_ALLOWED_HOSTS: [process.env.PHASEBOARD_ALLOWED_HOSTS, lan]
              .filter(Boolean)
              .join(","),
          }),
      },
      {
        ...(port !== undefined && { port }),
        ...(options.host && { host: options.host }),
        ...(lan && { host: lan }),
        projectDir,
      },
    );
    if (config.port !== 0) await assertPortFree(config);
    const server = await startServer(config, {
      logger: {
        level: config.logLevel,
        ...(process.stdout.isTTY && {
          transport: {
            target: "pino-pretty",
            options: { translateTime: "HH:MM:ss", ignore: "pid,hostname" },
          },
        }),
      },
    });
    // Listening for the signals before saying "running": whoever reads that line may stop
    // the server at once, and a signal with no listener yet would end it uncleanly.
    let stopping = false;
    const stopped = new Promise<void>((resolve) => {
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await server.close();
        resolve();
      };
      process.on("SIGINT", () => void stop());
      process.on("SIGTERM", () => void stop());
    });
    out.line(`Phaseboard is running at ${server.url} (project ${config.projectDir})`);
    if (lan && lanToken) {
      // The token travels once in this URL; the board keeps it and drops it from the address.
      const url = `${server.url}/?token=${encodeURIComponent(lanToken)}`;
      out.line(`Open it on a phone on the same network: ${url}`);
      out.line(renderUnicodeCompact(url, { border: 1 }));
    }
    await stopped;
  } catch (error) {
    if (error instanceof CommandFailedError) throw error;
    if (config && (error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw portInUse(config);
    }
    throw new CommandFailedError(describeStartupError(error, config), {
      code: "SERVE_FAILED",
      cause: error,
    });
  }
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) {
    throw new UsageError(`--port ${raw}: expected a whole number from 0 to 65535`, {
      code: "BAD_PORT",
    });
  }
  return port;
}

/**
 * Checked before the database is opened, so a second `serve` on a busy port changes
 * nothing: it names the port and, when it is Phaseboard's, the server already there.
 */
async function assertPortFree(config: { host: string; port: number; home: string }) {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port: config.port, host: config.host, exclusive: true }, () =>
      probe.close(() => resolve(true)),
    );
  });
  if (!free) throw portInUse(config);
}

function portInUse(config: { host: string; port: number; home: string }): CommandFailedError {
  const running = readServerFile(config.home);
  const ours = running && new URL(running.url).port === String(config.port) && isAlive(running.pid);
  const who = ours
    ? `the Phaseboard server at ${running.url} (pid ${running.pid}${running.project ? `, project ${running.project}` : ""})`
    : "another program";
  return new CommandFailedError(
    `port ${config.port} on ${config.host} is already in use by ${who}: ${ours ? "open it there, or " : ""}pass --port with a free port`,
    { code: "PORT_IN_USE" },
  );
}

function readServerFile(
  home: string,
): { url: string; pid: number | undefined; project: string | undefined } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(home, "server.json"), "utf8")) as Record<
      string,
      unknown
    >;
    if (typeof parsed.url !== "string") return undefined;
    return {
      url: parsed.url,
      pid: typeof parsed.pid === "number" ? parsed.pid : undefined,
      project: typeof parsed.project === "string" ? parsed.project : undefined,
    };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
