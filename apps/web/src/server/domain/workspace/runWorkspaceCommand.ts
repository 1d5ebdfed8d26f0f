import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { SecretRedactor, stepEnvironment } from "@phaseboard/agent-cli";

/** How a setup or cleanup command ended. */
export interface WorkspaceCommandResult {
  /** The command as a person would type it. */
  display: string;
  /** null when it did not exit by itself (killed, timed out, or could not start). */
  exitCode: number | null;
  timedOut: boolean;
  /** Why it could not start (no such program), if so. */
  spawnError?: string;
  /** The last lines of its output, stdout and stderr together. */
  tail: string;
}

const TAIL_BYTES = 4_000;

/**
 * Runs a project's workspace command in `cwd`: a string through `sh -c`, a list as argv
 * with no shell. Output goes to `logFile` (appended, with a header line) as it comes;
 * the process group is killed on timeout or abort, so `pnpm install`'s children go too.
 */
export async function runWorkspaceCommand(input: {
  command: string | string[];
  cwd: string;
  logFile: string;
  timeoutMs: number;
  env?: Record<string, string>;
  signal?: AbortSignal;
}): Promise<WorkspaceCommandResult> {
  const argv = typeof input.command === "string" ? ["sh", "-c", input.command] : input.command;
  const display = typeof input.command === "string" ? input.command : input.command.join(" ");
  await mkdir(dirname(input.logFile), { recursive: true });
  const log = createWriteStream(input.logFile, { flags: "a" });
  log.write(`$ ${display}\n`);
  let tail = "";
  const redactor = new SecretRedactor(process.env);
  // A secret split across two chunks could slip through; workspace commands print little.
  const keep = (chunk: Buffer) => {
    const text = redactor.empty ? chunk.toString("utf8") : redactor.redact(chunk.toString("utf8"));
    log.write(text);
    tail = (tail + text).slice(-TAIL_BYTES);
  };
  const result = await new Promise<Omit<WorkspaceCommandResult, "display" | "tail">>((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: input.cwd,
      // Never the server's secrets: the same environment as a script step.
      env: { ...stepEnvironment(process.env), ...input.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, input.timeoutMs);
    input.signal?.addEventListener("abort", kill, { once: true });
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ exitCode: null, timedOut, spawnError: error.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      input.signal?.removeEventListener("abort", kill);
      resolve({ exitCode: code, timedOut });
    });
  });
  const ending = result.spawnError
    ? `could not start: ${result.spawnError}`
    : result.timedOut
      ? `timed out after ${input.timeoutMs} ms`
      : `exit code ${result.exitCode ?? "none (killed)"}`;
  log.write(`\n[${ending}]\n`);
  await new Promise<void>((resolve) => log.end(resolve));
  return { display, ...result, tail };
}
