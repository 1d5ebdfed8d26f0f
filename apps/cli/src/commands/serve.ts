import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Command } from "commander";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import { Output } from "../output/Output.js";
import { type ProjectOptions, withExamples, withProjectOption } from "../program/commandOptions.js";
import { findServeDir, invocationDir } from "../project/findProjectDir.js";

interface ServeOptions extends ProjectOptions {
  port?: string;
  host?: string;
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description("start the server and the board for this project")
    .option("--port <port>", "TCP port (default 4100, or $PORT)")
    .option("--host <host>", "address to bind (default 127.0.0.1; others need PHASEBOARD_TOKEN)")
    .action((options: ServeOptions) => serve(options));
  withProjectOption(command);
  withExamples(command, [
    "phaseboard serve",
    "phaseboard serve --port 4200 --project ~/code/my-repo",
    "PHASEBOARD_TOKEN=$(openssl rand -hex 16) phaseboard serve --host 0.0.0.0",
  ]);
}

async function serve(options: ServeOptions): Promise<void> {
  const port = options.port === undefined ? undefined : parsePort(options.port);
  const out = new Output({});
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
      { ...process.env, INIT_CWD: invocationDir() },
      {
        ...(port !== undefined && { port }),
        ...(options.host && { host: options.host }),
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
    out.line(`Phaseboard is running at ${server.url} (project ${config.projectDir})`);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await server.close();
        resolve();
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    });
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
