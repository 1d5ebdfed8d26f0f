import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { agentAdapters } from "./adapters/agentAdapters.js";
import { findExecutable } from "./process/findExecutable.js";

export interface AgentInfo {
  agent: "claude" | "codex" | "gemini";
  /** On PATH and answered `--version`. */
  installed: boolean;
  /** Absolute path of the executable found on PATH. */
  path?: string;
  version?: string;
  /** npm package that provides the CLI. */
  npmPackage: string;
  /** An auth variable is set or a saved login file exists. */
  authConfigured: boolean;
  /** What authenticates it: `env:NAME` or `file:/path`. */
  authSource?: string;
  /** Can run: installed and authenticated. */
  available: boolean;
  /** Why it cannot run, in words for the board. */
  reason?: string;
}

const VERSION_TIMEOUT_MS = 10_000;

/**
 * Which agent CLIs can run here: found on PATH, their versions, and whether they are
 * authenticated, so the board can grey out the others and say why.
 *
 * @example
 * for (const info of await detectAgents()) console.log(info.agent, info.available, info.reason);
 */
export async function detectAgents(
  env: Record<string, string | undefined> = process.env,
): Promise<AgentInfo[]> {
  return Promise.all(
    Object.values(agentAdapters).map(async (adapter): Promise<AgentInfo> => {
      const authVariable = adapter.authEnv.find((name) => (env[name] ?? "") !== "");
      const authFile = authVariable ? undefined : adapter.authFiles(env).find((f) => existsSync(f));
      const authSource = authVariable
        ? `env:${authVariable}`
        : authFile
          ? `file:${authFile}`
          : undefined;
      const base = {
        agent: adapter.agent,
        npmPackage: adapter.npmPackage,
        authConfigured: authSource !== undefined,
        ...(authSource ? { authSource } : {}),
      };
      const path = findExecutable(adapter.command, env.PATH);
      if (!path) {
        return {
          ...base,
          installed: false,
          available: false,
          reason: `\`${adapter.command}\` is not on PATH: install it with \`npm install -g ${adapter.npmPackage}\`.`,
        };
      }
      const version = await readVersion(path, env);
      if (version === undefined) {
        return {
          ...base,
          installed: false,
          path,
          available: false,
          reason: `\`${path} --version\` failed: reinstall ${adapter.npmPackage}.`,
        };
      }
      if (!authSource) {
        return {
          ...base,
          installed: true,
          path,
          version,
          available: false,
          reason: `Not signed in: set ${adapter.authEnv.join(" or ")}, or sign in with \`${adapter.command}\`.`,
        };
      }
      return { ...base, installed: true, path, version, available: true };
    }),
  );
}

function readVersion(
  path: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      path,
      ["--version"],
      { env: env as NodeJS.ProcessEnv, timeout: VERSION_TIMEOUT_MS, killSignal: "SIGKILL" },
      (error, stdout) => {
        if (error) return resolve(undefined);
        // "2.1.328 (Claude Code)", "codex-cli 0.169.0", "0.61.0"
        const match = /\d+\.\d+\.\d+[\w.+-]*/.exec(stdout);
        resolve(match ? match[0] : stdout.trim() || undefined);
      },
    );
  });
}
