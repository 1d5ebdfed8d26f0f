import { type ChildProcess, spawn } from "node:child_process";
import { delimiter, join } from "node:path";
import { fakeAgentsPath } from "@phaseboard/agent-cli/testing";

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Stops it as an operator does (SIGTERM): it ends its running steps' process groups. */
  stop(): Promise<void>;
  /** Kills it -9, as a lost machine: its running steps' processes are left behind. */
  kill(): Promise<void>;
}

/** Waits (polling every 50 ms, at most 30 s) until `check` holds; else fails with `explain()`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  explain: () => string,
): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(explain());
}

/** A `phaseboard worker` in its own process (test/fixtures/workerMain.ts), ready to pull. */
export async function startWorker(
  ingress: string,
  workerId: string,
  stateDir: string,
  pathPrefix: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(import.meta.dirname, "fixtures", "workerMain.ts"),
      ingress,
      workerId,
      stateDir,
    ],
    {
      env: {
        ...process.env,
        PATH: `${pathPrefix}${delimiter}${fakeAgentsPath()}${delimiter}${process.env.PATH}`,
        FAKE_AGENT_SCENARIO: "success",
        PHASEBOARD_PASS_ENV: "FAKE_AGENT_*",
        ...env,
      },
      cwd: join(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    output += String(chunk);
  });
  await waitFor(
    () => output.includes("ready"),
    () => `worker never became ready:\n${output}`,
  );
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => child.once("exit", () => done()));
  return {
    child,
    output: () => output,
    kill: async () => {
      const gone = exited();
      child.kill("SIGKILL");
      await gone;
    },
    // As an operator stops a worker (SIGTERM): it stops its running steps' process groups
    // before it exits, so no stand-in agent outlives the test. SIGKILL if it hangs.
    stop: async () => {
      const gone = exited();
      child.kill("SIGTERM");
      const hung = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(hung);
    },
  };
}
