import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { AgentNotInstalledError } from "./AgentNotInstalledError.js";
import type { AgentArgsInput } from "./adapters/AgentAdapter.js";
import { buildChildEnv } from "./process/buildChildEnv.js";
import { findExecutable } from "./process/findExecutable.js";
import { signalProcessGroup } from "./process/signalProcessGroup.js";
import { stepEnvironment } from "./process/stepEnvironment.js";
import { createEventStream } from "./stream/createEventStream.js";
import { LineSplitter } from "./stream/LineSplitter.js";
import type {
  AgentEvent,
  AgentRunner,
  AgentRunResult,
  AgentUsage,
  RunAgentOptions,
} from "./types.js";
import { validateRunOptions } from "./validateRunOptions.js";

const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_RESULT_GRACE_MS = 3_000;
/** After the CLI exits, how long a process that left its group may hold our pipes. */
const PIPE_DRAIN_MS = 2_000;
const STDERR_TAIL_LINES = 10;
const STDERR_LINE_CHARS = 2_000;

type StopReason = "cancelled" | "timed_out" | "after_result" | "listener_failed";

/**
 * Runs one headless agent CLI (`claude`, `codex`, `gemini`, or one a project declared in
 * `options.declaredAgents`) to completion and reports
 * its stream as unified `AgentEvent`s. Bad options reject with `AgentInputError` and a
 * missing CLI with `AgentNotInstalledError`, both before anything is spawned; everything
 * that happens once the CLI runs (failure, cancellation, timeout) resolves as a result.
 *
 * The CLI runs without a shell, with stdin closed (or holding the prompt, for a declared
 * agent that reads it there), in its own process group. Stopping it
 * (abort, timeout, or a CLI still alive after its final `result` line) sends SIGINT to
 * the group, then SIGTERM, then SIGKILL, `killGraceMs` apart; when the CLI exits, what is
 * left of its group is killed, so nothing it started outlives the step.
 *
 * @example
 * const result = await runAgent({
 *   agent: "claude",
 *   prompt: "Summarise README.md",
 *   cwd: "/path/to/repo",
 *   permission: "plan",
 *   onEvent: (event) => console.log(event.type),
 * });
 * if (result.status === "completed") console.log(result.resultText);
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentRunResult> {
  const { adapter, permission } = validateRunOptions(options);
  const argsInput: AgentArgsInput = {
    prompt: options.prompt,
    cwd: options.cwd,
    permission,
    model: options.model,
    resumeSessionId: adapter.supportsResume === false ? undefined : options.resumeSessionId,
    ...(options.mcpServers && { mcpServers: options.mcpServers }),
  };
  const isRoot = process.getuid?.() === 0;
  const env = buildChildEnv(
    stepEnvironment(process.env, { agentVariables: adapter.authEnv }),
    options.env,
    adapter.extraEnv(argsInput, isRoot),
    options.cwd,
  );
  const executable = findExecutable(adapter.command, env.PATH);
  if (!executable) {
    throw new AgentNotInstalledError(
      adapter.agent,
      adapter.command,
      adapter.npmPackage,
      adapter.installHint,
    );
  }
  if (options.signal?.aborted) {
    return { status: "cancelled", durationMs: 0, exitCode: null, error: "Cancelled before start." };
  }

  const prepared = adapter.prepareRun?.(argsInput, env);
  if (prepared) Object.assign(env, prepared.env);
  try {
    return await spawnAgent(options, adapter, argsInput, env, executable);
  } finally {
    prepared?.cleanup();
  }
}

function spawnAgent(
  options: RunAgentOptions,
  adapter: ReturnType<typeof validateRunOptions>["adapter"],
  argsInput: AgentArgsInput,
  env: ReturnType<typeof buildChildEnv>,
  executable: string,
): Promise<AgentRunResult> {
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const resultGraceMs = options.resultGraceMs ?? DEFAULT_RESULT_GRACE_MS;
  const startedAt = new Date();
  const startTime = performance.now();

  return new Promise<AgentRunResult>((resolve) => {
    const child = spawn(executable, adapter.buildArgs(argsInput), {
      cwd: options.cwd,
      env,
      // Closed stdin unless the prompt goes there: Claude and Codex read stdin to EOF.
      stdio: [adapter.promptInput === "stdin" ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
      shell: false,
      windowsHide: true,
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    if (child.pid !== undefined) options.onSpawn?.(child.pid);

    let sessionId: string | undefined;
    let result: Extract<AgentEvent, { type: "result" }> | undefined;
    let usage: AgentUsage | undefined;
    const errors: string[] = [];
    const stderrTail: string[] = [];
    let stopReason: StopReason | undefined;
    let resultBeforeStop = false;
    let listenerError: unknown;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let spawnError: Error | undefined;
    let finished = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    };

    const emit = (event: AgentEvent) => {
      switch (event.type) {
        case "init":
          sessionId = event.sessionId;
          break;
        case "usage":
          if (!resultBeforeStop) usage = event.usage;
          break;
        case "error":
          errors.push(event.message);
          break;
        case "stderr":
          stderrTail.push(event.text.slice(0, STDERR_LINE_CHARS));
          if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
          break;
        case "result":
          // After a stop, a CLI may answer our SIGINT with an error result of its own; the
          // result that came before the stop is the one that counts.
          if (!resultBeforeStop) result = event;
          // The result is final; a CLI that lingers after it gets a grace period, then ends.
          if (!stopReason && !finished) later(resultGraceMs, () => stop("after_result"));
          break;
        default:
          break;
      }
      if (!options.onEvent || listenerError !== undefined) return;
      try {
        options.onEvent(event);
      } catch (error) {
        listenerError = error;
        stop("listener_failed");
      }
    };

    const stop = (reason: StopReason) => {
      if (stopReason || exitCode !== null || exitSignal !== null || !child.pid) return;
      stopReason = reason;
      resultBeforeStop = result !== undefined;
      const pid = child.pid;
      // Polite first: SIGINT lets an agent save its session's last message.
      signalProcessGroup(pid, "SIGINT");
      later(killGraceMs, () => {
        signalProcessGroup(pid, "SIGTERM");
        later(killGraceMs, () => signalProcessGroup(pid, "SIGKILL"));
      });
    };

    const onAbort = () => stop("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeout !== undefined) later(options.timeout, () => stop("timed_out"));

    const stdout = createEventStream(adapter, emit);
    const stderr = new LineSplitter((line) => {
      if (line.trim() !== "") emit({ type: "stderr", text: line });
    });
    if (child.stdin) {
      // A CLI that exits without reading its stdin makes the write fail with EPIPE: its
      // exit code tells the story, not the pipe.
      child.stdin.on("error", () => undefined);
      child.stdin.end(options.prompt);
    }
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stdout.on("end", () => stdout.end());
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stderr.on("end", () => stderr.end());

    child.on("error", (error) => {
      spawnError = error;
      if (child.pid === undefined) finish();
    });
    child.on("exit", (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (child.pid) signalProcessGroup(child.pid, "SIGKILL");
      // A process that left the group may still hold the pipes open: stop waiting for it.
      const drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, PIPE_DRAIN_MS);
      child.once("close", () => clearTimeout(drain));
    });
    child.on("close", () => finish());

    function finish() {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      stdout.end();
      stderr.end();
      // A plain-text CLI has no result line: a clean exit makes all it printed the result.
      if (
        adapter.stdoutFormat === "text" &&
        exitCode === 0 &&
        !stopReason &&
        !spawnError &&
        result === undefined
      ) {
        emit({ type: "result", status: "success", text: stdout.text() });
      }
      resolve(buildResult());
    }

    function buildResult(): AgentRunResult {
      const durationMs = Math.round(performance.now() - startTime);
      const finalSessionId = sessionId ?? argsInput.resumeSessionId;
      const base = {
        sessionId: finalSessionId,
        resultText: result?.text,
        usage,
        costUsd: result?.costUsd,
        durationMs,
        exitCode,
        ...(exitSignal ? { signal: exitSignal } : {}),
        sessionLogPath: finalSessionId
          ? adapter.findSessionLog({ sessionId: finalSessionId, cwd: options.cwd, env, startedAt })
          : undefined,
      };
      if (spawnError && exitCode === null && exitSignal === null) {
        return {
          ...base,
          status: "failed",
          error: `Could not start ${executable}: ${spawnError.message}`,
        };
      }
      if (listenerError !== undefined) {
        const message =
          listenerError instanceof Error ? listenerError.message : String(listenerError);
        return { ...base, status: "failed", error: `The event listener threw: ${message}` };
      }
      // A result printed before the stop stands. One printed after it is the CLI reacting
      // to our SIGINT (Claude reports an error_during_execution): the stop is the news.
      if ((stopReason === "cancelled" || stopReason === "timed_out") && !resultBeforeStop) {
        return {
          ...base,
          status: stopReason,
          error:
            stopReason === "cancelled"
              ? "Cancelled."
              : `Timed out after ${String(options.timeout)} ms.`,
        };
      }
      if (result?.status === "success") return { ...base, status: "completed" };
      return { ...base, status: "failed", error: describeFailure() };
    }

    function describeFailure(): string {
      if (result) return result.text || errors.at(-1) || `${adapter.agent} reported an error.`;
      const how =
        exitCode !== null
          ? `exited with code ${exitCode}${adapter.describeExitCode(exitCode) ? ` (${adapter.describeExitCode(exitCode)})` : ""}`
          : `was killed by ${exitSignal ?? "a signal"}`;
      const detail = errors.at(-1) ?? stderrTail.slice(-3).join("\n");
      return `${adapter.agent} ${how} without a result${detail ? `: ${detail}` : "."}`;
    }
  });
}

// The engine depends on the AgentRunner contract, not on this function: keep them equal.
runAgent satisfies AgentRunner;
