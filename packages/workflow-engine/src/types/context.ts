import type { Duration, StepConfig, StepResult } from "./step.js";

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ChildRunResult<T = unknown> {
  runId: string;
  status: "completed" | "failed" | "cancelled";
  result?: T;
  /** The child's own worktree, when it was started with `workspace: "own"`. */
  workdir?: string;
}

/**
 * Where a child run works: `shared` (default) in its parent's folder; `own` in a git
 * worktree of its own, branched from the parent's branch after the parent's uncommitted
 * work is committed there, so the child starts from everything the parent has.
 */
export type ChildWorkspace = "shared" | "own";

/** One changed file of a run's diff (git's status letter: A, M, D, R…). */
export interface RunDiffFile {
  path: string;
  status: string;
  additions: number;
  deletions: number;
}

/** What a run with a worktree changed against the commit it started from. */
export interface RunDiff {
  runId: string;
  branch: string;
  baseRef: string;
  files: RunDiffFile[];
  /** The unified patch. */
  patch: string;
}

/** `ctx.openPullRequest` and `type: pull-request`: what to open (defaults from the run). */
export interface PullRequestOptions {
  /** Default: the run's name. */
  title?: string;
  /** Default: made from the run (its template, steps and cost). */
  body?: string;
  /** Open it as a draft. */
  draft?: boolean;
  /** The branch to merge into. Default: the branch the run's worktree started from. */
  base?: string;
}

/** The pull request (GitHub) or merge request (GitLab) opened from the run's branch. */
export interface OpenedPullRequest {
  url: string;
  number: number;
  provider: "github" | "gitlab";
  state: "open" | "merged" | "closed";
  /** false when the run already had one: it is answered instead of opening a second. */
  created: boolean;
}

export interface ParallelOptions<I> {
  /** Never more than this many `fn` calls at once (default: unbounded). */
  concurrency?: number;
  /** Stable key of an item (default: String(item)); also names its memoized steps. */
  key?: (item: I) => string;
  /** Keys of the items this item waits for; a cycle or unknown key is an error. */
  dependsOn?: (item: I) => string[];
}

/** A signal as `waitForSignals` and `pollSignals` return it. */
export interface ReceivedSignal<T = unknown> {
  name: string;
  payload: T;
}

export interface ApprovalDecision {
  approved: boolean;
  by?: string;
  comment?: string;
}

/**
 * The API a template's `execute(ctx)` drives. Every method that has an effect is a
 * durable step: replay returns its recorded result instead of running it again.
 */
/** A run this run waited for (see WorkflowContext.prerequisites). */
export interface Prerequisite {
  id: string;
  name: string;
  status: string;
  result: unknown;
}

export interface WorkflowContext<Args = Record<string, unknown>> {
  readonly runId: string;
  /** Repository root (holds `.agent/`). */
  readonly projectPath: string;
  /** Where steps run: the run's worktree, or the project root. */
  readonly workdir: string;
  readonly args: Args;
  /**
   * The runs this run was created to start after, by run name: their id, status and
   * result when it started (`{{ after.<run-name>.result }}` in YAML). Empty without any.
   */
  readonly prerequisites: Readonly<Record<string, Prerequisite>>;

  step<T = unknown>(id: string, config: StepConfig<T>): Promise<StepResult<T>>;
  parallel<I, R>(
    items: readonly I[],
    options: ParallelOptions<I>,
    fn: (item: I) => Promise<R>,
  ): Promise<R[]>;
  run<T = unknown>(
    template: string,
    args: Record<string, unknown>,
    options?: { id?: string; name?: string; phase?: string; workspace?: ChildWorkspace },
  ): Promise<ChildRunResult<T>>;
  /**
   * A durable step: the diff of a run that has a worktree (a child started with
   * `workspace: "own"`) against the commit it started from.
   */
  diffOfRun(runId: string, options?: { id?: string; phase?: string }): Promise<RunDiff>;
  /**
   * A durable step: merges a run's branch into the branch it started from, in the folder
   * where that branch is checked out (for a child with its own worktree: this run's
   * worktree). Squash by default.
   */
  mergeRun(
    runId: string,
    options?: { id?: string; phase?: string; mode?: "ff" | "squash"; message?: string },
  ): Promise<{ commit: string }>;
  /**
   * A durable step: pushes this run's branch and opens a pull request from it (`gh`, or a
   * merge request with `glab`), as the board's **Open pull request** does; a run that has
   * one gets it back instead of a second. Needs a worktree, a git remote and the CLI.
   */
  openPullRequest(
    options?: PullRequestOptions & { id?: string; phase?: string },
  ): Promise<OpenedPullRequest>;
  /** A durable step: removes a run's worktree; its branch stays. */
  removeRunWorktree(runId: string, options?: { id?: string; phase?: string }): Promise<void>;
  /**
   * Waits (durably) for the next signal `name` not yet taken. With a timeout it throws
   * SignalTimeoutError once the deadline passes — and again on every replay.
   */
  waitForSignal<T = unknown>(
    name: string,
    options?: { timeout?: Duration; phase?: string },
  ): Promise<T>;
  /** Waits for whichever of `names` arrives first (oldest untaken), e.g. work or `drain`. */
  waitForSignals<T = unknown>(
    names: string[],
    options?: { id?: string; timeout?: Duration; phase?: string },
  ): Promise<ReceivedSignal<T>>;
  /**
   * Takes every signal of `names` that arrived and was not taken yet, oldest first, without
   * waiting (an empty list when there is none). Memoized like a step, so a replay sees the
   * same list: the way a long-running template checks for `pause` or `drain` between items.
   */
  pollSignals<T = unknown>(
    names: string[],
    options?: { id?: string },
  ): Promise<ReceivedSignal<T>[]>;
  /**
   * Sends signal `name` to every unfinished run of `template` in this project (a poller
   * feeding a long-running builder). A durable step: a replay does not send it again.
   */
  sendSignal(
    template: string,
    name: string,
    payload?: unknown,
    options?: { id?: string; phase?: string },
  ): Promise<{ runIds: string[] }>;
  approval(id: string, options: { message: string; phase?: string }): Promise<ApprovalDecision>;
  sleep(id: string, duration: Duration): Promise<void>;
  setState(state: Record<string, unknown>): Promise<void>;
  comment(text: string, options?: { stepId?: string; type?: "system" | "agent" }): Promise<void>;
  exec(
    command: string,
    options?: { cwd?: string; env?: Record<string, string> },
  ): Promise<ExecResult>;
  getStepResult<T = unknown>(stepId: string): StepResult<T> | undefined;
  checkpoint(): Promise<void>;
  /** Ends this run and starts a fresh one of the same template with `args` (never returns). */
  continueAsNew(args: Record<string, unknown>): Promise<never>;
}
