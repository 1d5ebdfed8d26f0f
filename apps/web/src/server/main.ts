// The `start` entry point: serve Phaseboard until SIGINT/SIGTERM.
import { loadConfig, type ServerConfig } from "./config.js";
import { describeStartupError } from "./describeStartupError.js";
import { startServer } from "./startServer.js";

let config: ServerConfig | undefined;
try {
  config = loadConfig();
  const server = await startServer(config, {
    logger: {
      level: config.logLevel,
      // Readable lines for a person at a terminal; JSON lines for log collectors.
      ...(process.stdout.isTTY && {
        transport: {
          target: "pino-pretty",
          options: { translateTime: "HH:MM:ss", ignore: "pid,hostname" },
        },
      }),
    },
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, "shutting down");
    await server.close();
    process.exit(0);
  };
  // Listening before saying "running": whoever reads that line may stop the server at once.
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  console.log(`Phaseboard is running at ${server.url} (project ${config.projectDir})`);
} catch (error) {
  console.error(`phaseboard: ${describeStartupError(error, config)}`);
  process.exit(1);
}
