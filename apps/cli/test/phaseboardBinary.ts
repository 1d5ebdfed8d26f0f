import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runProcess, tempDir } from "@phaseboard/test-kit";

export const binary = join(import.meta.dirname, "..", "bin", "phaseboard.js");

export interface Sandbox {
  home: string;
  phaseboardHome: string;
  project: string;
  env: NodeJS.ProcessEnv;
}

/** A temp HOME, PHASEBOARD_HOME and project folder, so no test sees another's state. */
export function sandbox(): Sandbox {
  const root = tempDir("cli");
  const home = join(root, "home");
  const phaseboardHome = join(root, "phaseboard-home");
  const project = join(root, "project");
  for (const dir of [home, phaseboardHome, project]) mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    PHASEBOARD_HOME: phaseboardHome,
    PHASEBOARD_BUILDS: "off",
    NO_COLOR: "",
    LOG_LEVEL: "warn",
  };
  return { home, phaseboardHome, project, env };
}

/** Runs the real `phaseboard` binary to its end. */
export async function phaseboard(
  box: Sandbox,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const child = startPhaseboard(box, args, options);
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** Starts the real `phaseboard` binary and returns at once (serve, run, logs --follow). */
export function startPhaseboard(
  box: Sandbox,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  return runProcess(process.execPath, [binary, ...args], {
    cwd: options.cwd ?? box.project,
    env: { ...box.env, ...options.env },
  });
}
