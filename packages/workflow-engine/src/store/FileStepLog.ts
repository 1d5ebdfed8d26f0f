import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { StepLogEvent } from "../types/observer.js";
import type { StepResult } from "../types/step.js";
import type { StepLogWriter } from "./RunStore.js";

/**
 * One step's `logs/{stepKey}/` folder: input.json, events.jsonl (once there is an event),
 * output.json, summary.md.
 * Not fsynced: the checkpoint is the record of truth and is written (durably) after these;
 * a crash that loses a log line loses no step result. Written with synchronous calls, as
 * events.jsonl always was: each file is a few small syscalls that the page cache answers,
 * while the thread pool would add two hops per call to every step (open, write, close
 * each one), several times the cost of the writes themselves.
 */
export class FileStepLog implements StepLogWriter {
  private fd: number | undefined;
  private opened = false;
  private broken = false;

  constructor(
    readonly dir: string,
    readonly ref: string,
  ) {}

  async open(input: unknown): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, "input.json"), JSON.stringify(input, null, 2));
    this.opened = true;
  }

  /**
   * events.jsonl is created on the first event: a silent step costs one file less. A line
   * that cannot be written (the run's folder was removed, the disk is full) is dropped, as
   * are the step's later ones: this runs in a process's output handler, where a throw
   * would end the server, and the log is not the record of the step's result.
   */
  append(event: StepLogEvent): void {
    if (!this.opened || this.broken) return;
    try {
      this.fd ??= openSync(join(this.dir, "events.jsonl"), "a");
      writeSync(this.fd, `${JSON.stringify(event)}\n`);
    } catch {
      this.broken = true;
    }
  }

  async close(result: StepResult, summary: string): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    writeFileSync(join(this.dir, "output.json"), JSON.stringify(result, null, 2));
    writeFileSync(join(this.dir, "summary.md"), summary);
  }

  /** An interrupted attempt: keep what was logged, leave output.json unwritten. */
  abandon(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
