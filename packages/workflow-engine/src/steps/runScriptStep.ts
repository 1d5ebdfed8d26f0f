import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { SecretRedactor, stepEnvironment } from "@phaseboard/agent-cli";
import { ScriptFailedError } from "../errors/ScriptFailedError.js";
import type { ScriptStepConfig } from "../types/step.js";
import { killProcessGroup } from "./killProcessGroup.js";
import { CappedText, OutputLines } from "./OutputLines.js";
import { resolveStepCwd } from "./resolveStepCwd.js";
import type { StepAttempt, StepAttemptResult } from "./StepAttempt.js";
import { StepProcessRecord } from "./StepProcessRecord.js";

/**
 * The group's leader: waits on fd 3 until the group is recorded, then becomes the
 * command (`exec "$@"`: its arguments are never parsed). A server killed before recording
 * closes fd 3 without a line, and the command never runs, so no step runs unrecorded.
 */
const GATE = [
  "read -r _ <&3 || exit 125",
  "exec 3<&-",
  'command -v -- "$1" >/dev/null 2>&1 || { printf \'cannot start %s: not found\\n\' "$1" >&2; exit 127; }',
  'exec "$@"',
].join("\n");

/** Output kept in the step result per stream (characters); every line is in events.jsonl. */
const MAX_CAPTURE = 1024 * 1024;

export interface ScriptOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script step in its own process group (so pause, cancel and timeout stop every
 * process it started): a string goes through `sh -c`, an argv array runs without a shell
 * parsing it. The group is recorded (see `StepProcessRecord`) before the command runs.
 * Each stdout/stderr line becomes one event (a line longer than 64 KB is cut, and the
 * event says how much). The process gets the step environment (see `stepEnvironment`:
 * never the server's secrets) plus `env`; the values of the server's secret variables are
 * redacted from everything the step produces.
 */
export async function runScriptStep(
  config: Pick<ScriptStepConfig, "command" | "cwd" | "env">,
  attempt: StepAttempt,
  options: { allowNonZeroExit?: boolean } = {},
): Promise<StepAttemptResult<ScriptOutput>> {
  const record = new StepProcessRecord(attempt.processRecord);
  const previous = await record.takeOver(attempt.killGraceMs);
  if (previous) {
    attempt.emit({
      kind: "system",
      text: `ended process group ${previous.pgid}, left running by an earlier run of this step (server pid ${previous.ownerPid})`,
    });
  }
  const [file, args] =
    typeof config.command === "string"
      ? ["/bin/sh", ["-c", config.command]]
      : [config.command[0] ?? "", config.command.slice(1)];
  return new Promise((resolve, reject) => {
    if (attempt.signal.aborted) {
      reject(attempt.signal.reason);
      return;
    }
    let cwd: string;
    try {
      cwd = resolveStepCwd(config.cwd, attempt.workdir);
    } catch (error) {
      reject(error);
      return;
    }
    const child = spawn("/bin/sh", ["-c", GATE, "phaseboard-step", file, ...args], {
      cwd,
      env: { ...stepEnvironment(process.env), ...attempt.env, ...config.env },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      detached: true,
    });
    const gate = child.stdio[3] as Writable;
    // The child may be gone before the gate opens (killed); that is seen at its exit.
    gate.on("error", () => {});
    const redactor = new SecretRedactor(process.env);
    const stdout = new CappedText(MAX_CAPTURE);
    const stderr = new CappedText(MAX_CAPTURE);
    let killing: Promise<void> | undefined;
    const pgid = child.pid;
    let recordError: unknown;
    if (pgid !== undefined) {
      try {
        record.record(pgid);
        gate.end("run\n");
      } catch (error) {
        // Unrecorded, the command must not run: closing the gate ends the group's leader.
        recordError = error;
        gate.destroy();
      }
    }
    const onAbort = () => {
      if (pgid !== undefined) killing = killProcessGroup(pgid, attempt.killGraceMs);
    };
    attempt.signal.addEventListener("abort", onAbort, { once: true });

    const streams = [
      [child.stdout as Readable, "stdout", stdout],
      [child.stderr as Readable, "stderr", stderr],
    ] as const;
    const closed = streams.map(
      ([stream, kind, capture]) =>
        new Promise<void>((done) => {
          const lines = new OutputLines((line, dropped) => {
            const kept = redactor.redact(line);
            const text =
              dropped > 0 ? `${kept} [line cut: ${dropped} more characters not logged]` : kept;
            capture.add(`${text}\n`);
            attempt.emit({ kind, text });
          });
          stream.on("data", (chunk: Buffer) => lines.write(chunk));
          stream.once("close", () => {
            lines.end();
            done();
          });
        }),
    );
    child.once("error", (error) => {
      attempt.signal.removeEventListener("abort", onAbort);
      reject(new ScriptFailedError(`cannot start ${file}: ${error.message}`, { cause: error }));
    });
    child.once("exit", (code, signal) => {
      attempt.signal.removeEventListener("abort", onAbort);
      void (async () => {
        await Promise.all(closed);
        // Background children may outlive the shell; the step owns its group, so end it.
        if (pgid !== undefined) await (killing ?? killProcessGroup(pgid, attempt.killGraceMs));
        record.clear();
        if (recordError !== undefined) {
          reject(recordError);
        } else if (attempt.signal.aborted) {
          reject(attempt.signal.reason);
        } else if (code === 0 || (code !== null && options.allowNonZeroExit)) {
          resolve({ data: { exitCode: code, stdout: stdout.value, stderr: stderr.value } });
        } else {
          const how = code === null ? `signal ${signal}` : `exit code ${code}`;
          const tail = stderr.value.trim().split("\n").slice(-5).join("\n");
          reject(
            new ScriptFailedError(`script ended with ${how}${tail ? `: ${tail}` : ""}`, {
              exitCode: code ?? -1,
            }),
          );
        }
      })();
    });
  });
}
