import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { MemoKeys } from "../execution/MemoKeys.js";
import { runParallel } from "../execution/runParallel.js";
import type {
  ApprovalDecision,
  ChildRunResult,
  ChildWorkspace,
  ExecResult,
  OpenedPullRequest,
  ParallelOptions,
  PullRequestOptions,
  ReceivedSignal,
  RunDiff,
  WorkflowContext,
} from "../types/context.js";
import type { Duration, StepConfig, StepResult } from "../types/step.js";

/** One call a template made, in order, for assertions. */
export type RecordedCall =
  | { method: "step"; key: string; config: StepConfig }
  | {
      method: "run";
      template: string;
      args: Record<string, unknown>;
      options?: { id?: string; name?: string; phase?: string; workspace?: ChildWorkspace };
    }
  | { method: "diffOfRun" | "mergeRun" | "removeRunWorktree"; runId: string }
  | { method: "openPullRequest"; options: PullRequestOptions }
  | { method: "approval"; id: string; message: string; phase?: string }
  | { method: "waitForSignal"; name: string }
  | { method: "sleep"; id: string; duration: Duration }
  | { method: "comment"; text: string }
  | { method: "sendSignal"; template: string; name: string; payload: unknown };

export interface MemoryContextOptions {
  args?: Record<string, unknown>;
  workdir?: string;
  /** Result data of an agent step, by memo key (default: `{ text: "ok" }`). */
  agent?: (key: string, config: Extract<StepConfig, { type: "agent" }>) => unknown;
  /** Answers script steps instead of running them (default: really run with sh -c). */
  script?: (key: string, config: Extract<StepConfig, { type: "script" }>) => ExecResult;
  approvals?: Record<string, ApprovalDecision>;
  signals?: Record<string, unknown>;
  child?: (template: string, args: Record<string, unknown>) => ChildRunResult;
}

/**
 * A small, faithful WorkflowContext for template tests: the executor's memo keys (`#2` on
 * repeats, `item/` inside a parallel item), script steps as real `sh -c` processes, and the
 * executor's `parallel` (dependencies, concurrency limit, cycle and duplicate-key checks).
 * No checkpoints — durability belongs to the executor.
 *
 * @example
 * import { MemoryWorkflowContext } from "@phaseboard/workflow-engine/testing";
 * const ctx = new MemoryWorkflowContext({ args: { who: "Ada" } });
 * await definition.execute(ctx);
 * expect(ctx.stepKeys).toEqual(["greet"]);
 */
export class MemoryWorkflowContext implements WorkflowContext {
  readonly runId = "run-memory";
  readonly projectPath: string;
  readonly workdir: string;
  readonly args: Record<string, unknown>;
  /** A dry run has waited for nothing. */
  readonly prerequisites = {};
  readonly calls: RecordedCall[] = [];
  readonly results = new Map<string, StepResult>();
  /** Most steps that were running at the same moment. */
  maxConcurrentSteps = 0;
  private running = 0;
  // As the executor does, steps started inside a parallel item are keyed under the
  // item's key: `item/step`.
  private readonly scope = new AsyncLocalStorage<string>();
  private readonly keys = new MemoKeys(() => this.scope.getStore() ?? "");

  constructor(private readonly options: MemoryContextOptions = {}) {
    this.args = options.args ?? {};
    this.workdir = options.workdir ?? process.cwd();
    this.projectPath = this.workdir;
  }

  /** Memo keys in call order, e.g. ["test", "fix-tests", "test#2"]. */
  get stepKeys(): string[] {
    return this.calls.flatMap((call) => (call.method === "step" ? [call.key] : []));
  }

  async step<T = unknown>(id: string, config: StepConfig<T>): Promise<StepResult<T>> {
    const key = this.keys.next(id);
    this.calls.push({ method: "step", key, config: config as StepConfig });
    this.running += 1;
    this.maxConcurrentSteps = Math.max(this.maxConcurrentSteps, this.running);
    let result: StepResult<T>;
    try {
      result = config.skip
        ? { stepId: key, status: "skipped", data: { reason: config.skip.reason } as T }
        : await this.execute(key, config);
    } finally {
      this.running -= 1;
    }
    this.results.set(key, result);
    if (result.status === "failed" && !config.continueOnError) {
      throw new Error(`step ${key} failed: ${result.error?.message}`);
    }
    return result;
  }

  private async execute<T>(key: string, config: StepConfig<T>): Promise<StepResult<T>> {
    switch (config.type) {
      case "function": {
        const controller = new AbortController();
        const data = await config.fn({
          stepId: key,
          attempt: 1,
          signal: controller.signal,
          log() {},
        });
        return { stepId: key, status: "completed", data };
      }
      case "agent": {
        const data = ((await this.options.agent?.(key, config)) ?? { text: "ok" }) as T;
        return { stepId: key, status: "completed", data };
      }
      case "script": {
        const argv =
          typeof config.command === "string" ? ["sh", "-c", config.command] : config.command;
        const outcome = this.options.script
          ? this.options.script(key, config)
          : await run(argv, config.cwd ?? this.workdir, config.env);
        const data = outcome as T;
        return outcome.exitCode === 0
          ? { stepId: key, status: "completed", data }
          : {
              stepId: key,
              status: "failed",
              data,
              error: { name: "ScriptFailed", message: `exit code ${outcome.exitCode}` },
            };
      }
    }
  }

  async parallel<I, R>(
    items: readonly I[],
    options: ParallelOptions<I>,
    fn: (item: I) => Promise<R>,
  ): Promise<R[]> {
    const prefix = this.scope.getStore() ?? "";
    return runParallel(items, options, (item, key) =>
      this.scope.run(`${prefix}${key}/`, () => fn(item)),
    );
  }

  async run<T = unknown>(
    template: string,
    args: Record<string, unknown>,
    options?: { id?: string; name?: string; phase?: string; workspace?: ChildWorkspace },
  ): Promise<ChildRunResult<T>> {
    this.calls.push({ method: "run", template, args, ...(options ? { options } : {}) });
    return (this.options.child?.(template, args) ?? {
      runId: "child-1",
      status: "completed",
    }) as ChildRunResult<T>;
  }

  async waitForSignal<T = unknown>(name: string): Promise<T> {
    this.calls.push({ method: "waitForSignal", name });
    return this.options.signals?.[name] as T;
  }

  async waitForSignals<T = unknown>(names: string[]): Promise<ReceivedSignal<T>> {
    this.calls.push({ method: "waitForSignal", name: names.join("+") });
    const name = names.find((n) => this.options.signals?.[n] !== undefined) ?? names[0] ?? "";
    return { name, payload: this.options.signals?.[name] as T };
  }

  async pollSignals<T = unknown>(): Promise<ReceivedSignal<T>[]> {
    return [];
  }

  /** No worktrees in memory: an empty diff. */
  async diffOfRun(runId: string): Promise<RunDiff> {
    this.calls.push({ method: "diffOfRun", runId });
    return { runId, branch: "", baseRef: "", files: [], patch: "" };
  }

  async mergeRun(runId: string) {
    this.calls.push({ method: "mergeRun", runId });
    return { commit: "" };
  }

  /** Records the request and answers pull request #1 of a made-up repository. */
  async openPullRequest(
    options: PullRequestOptions & { id?: string; phase?: string } = {},
  ): Promise<OpenedPullRequest> {
    const { id: _id, phase: _phase, ...request } = options;
    this.calls.push({ method: "openPullRequest", options: request });
    return {
      url: "https://github.com/example/repo/pull/1",
      number: 1,
      provider: "github",
      state: "open",
      created: true,
    };
  }

  async removeRunWorktree(runId: string) {
    this.calls.push({ method: "removeRunWorktree", runId });
  }

  async sendSignal(template: string, name: string, payload?: unknown) {
    this.calls.push({ method: "sendSignal", template, name, payload });
    return { runIds: [] };
  }

  async approval(
    id: string,
    options: { message: string; phase?: string },
  ): Promise<ApprovalDecision> {
    this.calls.push({
      method: "approval",
      id,
      message: options.message,
      ...(options.phase ? { phase: options.phase } : {}),
    });
    return this.options.approvals?.[id] ?? { approved: true };
  }

  async sleep(id: string, duration: Duration): Promise<void> {
    this.calls.push({ method: "sleep", id, duration });
  }

  async setState(): Promise<void> {}

  async comment(text: string): Promise<void> {
    this.calls.push({ method: "comment", text });
  }

  async exec(
    command: string,
    options?: { cwd?: string; env?: Record<string, string> },
  ): Promise<ExecResult> {
    return run(["sh", "-c", command], options?.cwd ?? this.workdir, options?.env);
  }

  getStepResult<T = unknown>(stepId: string): StepResult<T> | undefined {
    return this.results.get(stepId) as StepResult<T> | undefined;
  }

  async checkpoint(): Promise<void> {}

  async continueAsNew(): Promise<never> {
    throw new Error("continueAsNew is not supported by MemoryWorkflowContext");
  }
}

function run(
  argv: string[],
  cwd: string,
  env: Record<string, string> | undefined,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const [file, ...rest] = argv;
    const child = spawn(file ?? "sh", rest, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}
