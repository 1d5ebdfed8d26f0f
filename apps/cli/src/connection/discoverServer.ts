import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolvePhaseboardHome } from "@phaseboard/db";

/** What a running `phaseboard serve` leaves in `$PHASEBOARD_HOME/server.json`. */
export interface ServerInfo {
  url: string;
  pid?: number;
}

/** The port `phaseboard serve` uses when none is given. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:4100";

/**
 * Finds a running server for this user's database, in order:
 * 1. `PHASEBOARD_URL` (trusted as given: a wrong URL is an error, not a fallback);
 * 2. `$PHASEBOARD_HOME/server.json` when its process is alive and answers /api/health;
 * 3. the default port, but only with the default home: a server there with a custom
 *    `PHASEBOARD_HOME` would be another database, and acting on it would be wrong.
 * Returns undefined when none answers (the caller then runs the engine in-process).
 */
export async function discoverServer(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerInfo | undefined> {
  const explicit = env.PHASEBOARD_URL?.trim();
  if (explicit) return { url: explicit.replace(/\/+$/, "") };
  const info = readServerFile(resolvePhaseboardHome(env));
  if (info && isAlive(info.pid) && (await answersHealth(info.url))) return info;
  if (!env.PHASEBOARD_HOME?.trim() && (await answersHealth(DEFAULT_SERVER_URL))) {
    return { url: DEFAULT_SERVER_URL };
  }
  return undefined;
}

function readServerFile(home: string): ServerInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(home, "server.json"), "utf8")) as unknown;
    if (parsed && typeof parsed === "object" && typeof (parsed as ServerInfo).url === "string") {
      const { url, pid } = parsed as ServerInfo;
      return typeof pid === "number" ? { url, pid } : { url };
    }
  } catch {
    // No file or a torn one: no server to talk to.
  }
  return undefined;
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but someone else's; still a server we may talk to.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL("/api/health", url), {
      signal: AbortSignal.timeout(1500),
    });
    return response.ok;
  } catch {
    return false;
  }
}
