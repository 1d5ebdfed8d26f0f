import { loadConfig } from "@phaseboard/web/src/server/config.js";
import { startServer } from "@phaseboard/web/src/server/startServer.js";

/**
 * Runs the server inside this process on a loopback port chosen by the OS, with no
 * logging. The CLI then speaks the same REST and WebSocket API as with a separate
 * server, and the run manager inside takes the same leases on the same database, so
 * a server started later never runs these runs a second time.
 */
export async function startEmbeddedServer(options: {
  projectDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ url: string; token: string | undefined; close(): Promise<void> }> {
  const config = loadConfig(options.env ?? process.env, {
    port: 0,
    host: "127.0.0.1",
    projectDir: options.projectDir,
  });
  const server = await startServer(config, { logger: false, background: false });
  return { url: server.url, token: config.token, close: () => server.close() };
}
