import { basename } from "node:path";
import { ApiClient } from "../api/ApiClient.js";
import type { ProjectDto } from "../api/wireTypes.js";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { discoverServer } from "./discoverServer.js";

export interface Connection {
  api: ApiClient;
  baseUrl: string;
  token: string | undefined;
  /** `server`: a separate running server; `embedded`: the engine runs in this process. */
  mode: "server" | "embedded";
  project: ProjectDto;
  close(): Promise<void>;
}

/**
 * Talks to the running server when there is one, else starts the server in-process
 * (see startEmbeddedServer) so every command has one code path: the REST API.
 */
export async function openConnection(options: {
  projectDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<Connection> {
  const env = options.env ?? process.env;
  const token = env.PHASEBOARD_TOKEN?.trim() || undefined;
  const found = await discoverServer(env);
  let baseUrl: string;
  let close = async () => {};
  let mode: Connection["mode"];
  let connectionToken = token;
  if (found) {
    baseUrl = found.url;
    mode = "server";
  } else {
    // Loaded lazily: commands that never need it (init, validate, --help) stay quick.
    const { startEmbeddedServer } = await import("./startEmbeddedServer.js");
    let embedded: Awaited<ReturnType<typeof startEmbeddedServer>>;
    try {
      embedded = await startEmbeddedServer({ projectDir: options.projectDir, env });
    } catch (error) {
      throw new CommandFailedError(
        `cannot open the Phaseboard database: ${error instanceof Error ? error.message : String(error)}`,
        { code: "EMBEDDED_START_FAILED", cause: error },
      );
    }
    baseUrl = embedded.url;
    connectionToken = embedded.token;
    close = embedded.close;
    mode = "embedded";
  }
  const api = new ApiClient(baseUrl, connectionToken);
  try {
    const project = await api.ensureProject(options.projectDir, basename(options.projectDir));
    return { api, baseUrl, token: connectionToken, mode, project, close };
  } catch (error) {
    await close();
    throw error;
  }
}
