import type { Command } from "commander";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import { Output } from "../output/Output.js";
import { type ProjectOptions, withExamples, withProjectOption } from "../program/commandOptions.js";
import { findProjectDir, invocationDir } from "../project/findProjectDir.js";

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
  // Without a project here the server still starts: it then shows its own templates.
  let projectDir: string | undefined;
  try {
    projectDir = findProjectDir(options);
  } catch (error) {
    if (options.project) throw error;
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
        ...(projectDir && { projectDir }),
      },
    );
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
