import type { AgentDeclaration, AgentMcpServer, AgentRunner } from "@phaseboard/agent-cli";
import type { RunStore } from "../store/RunStore.js";
import type { ChildWorkspace, OpenedPullRequest, PullRequestOptions, RunDiff } from "./context.js";
import type { DefinitionSnapshot, LoadedTemplate, WorkflowDefinition } from "./definition.js";
import type { RunJournal } from "./journal.js";
import type { RunObserver, RunStatus } from "./observer.js";
import type { SerializedError, StepConfig, StepResult } from "./step.js";

/**
 * What the host (the server's run manager, the embedded CLI) provides the executor.
 * The engine itself knows nothing of the database.
 */
export interface RunHost {
  /** Resolves `ctx.run(template)`: a template name, identifier or path. */
  loadTemplate(reference: string): Promise<Extract<LoadedTemplate, { ok: true }>>;
  /** Creates the child run's record (its own card) and returns its id. */
  createChildRun(input: {
    parentRunId: string;
    template: Extract<LoadedTemplate, { ok: true }>;
    args: Record<string, unknown>;
    name: string;
    /** `own`: give the child a worktree of its own and answer its folder as `workdir`. */
    workspace?: ChildWorkspace;
  }): Promise<{ runId: string; workdir?: string }>;
  /** `ctx.diffOfRun`: a run's diff against the commit its worktree started from. */
  diffOfRun?(runId: string): Promise<RunDiff>;
  /** `ctx.mergeRun`: merges a run's branch into its base where that branch is checked out. */
  mergeRun?(
    runId: string,
    options: { mode: "ff" | "squash"; message?: string },
  ): Promise<{ commit: string }>;
  /** `ctx.openPullRequest`: pushes the run's branch and opens a pull request from it. */
  openPullRequest?(input: { runId: string } & PullRequestOptions): Promise<OpenedPullRequest>;
  /** `ctx.removeRunWorktree`: removes a run's worktree, keeping its branch. */
  removeRunWorktree?(runId: string): Promise<void>;
  /**
   * `ctx.sendSignal`: records signal `name` for every unfinished run of `template` in this
   * project (waking the ones that wait) and returns their ids.
   */
  signalRuns?(input: {
    fromRunId: string;
    template: string;
    name: string;
    payload?: unknown;
  }): Promise<{ runIds: string[] }>;
  /**
   * Asked before every agent step starts (not on replay): answering `{ pause }` pauses the
   * run there, with that reason, instead of starting the step — how a budget stops a
   * run before it spends more. Resuming asks again.
   */
  beforeAgentStep?(input: {
    runId: string;
    stepKey: string;
    agent: string;
  }): Promise<{ pause: string } | undefined>;
  /** `ctx.continueAsNew`: creates the successor run's record and returns its id. */
  createContinuationRun?(input: {
    previousRunId: string;
    args: Record<string, unknown>;
  }): Promise<{ runId: string }>;
}

export interface ExecutorOptions {
  /** Repository root holding `.agent/workflows/`. */
  projectPath: string;
  /** Identifies this process in leases. */
  workerId: string;
  observer?: RunObserver;
  /** Runs agent steps; the host passes agent-cli's `runAgent`. */
  runAgent?: AgentRunner;
  /**
   * MCP servers an agent step of this run gets (the board, scoped to the run), unless the
   * step says `board: false`.
   */
  mcpServersFor?: (step: {
    runId: string;
    stepKey: string;
  }) => Readonly<Record<string, AgentMcpServer>> | undefined;
  /**
   * The project's declared agents (`.agent/agents/`), asked when an agent step starts so
   * an edited declaration applies to the next step without a restart.
   */
  declaredAgents?: () => Readonly<Record<string, AgentDeclaration>>;
  host?: RunHost;
  /**
   * Variables every step of the run gets under the template's own `env:` (the server's
   * `PHASEBOARD_PORT` and `PHASEBOARD_PORTS` for a run with a worktree). Asked when each
   * step attempt starts; a rejection fails that attempt.
   */
  runEnvironment?: (runId: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** How often a running run's lease is renewed (ms, default 5 000). */
  heartbeatIntervalMs?: number;
  /** Wait after SIGINT and again after SIGTERM before escalating (ms, default 1 000). */
  killGraceMs?: number;
  /** A run.lock whose heartbeat is older than this is taken over (ms, default 30 000). */
  staleAfterMs?: number;
  /**
   * Where runs are kept: checkpoints, step logs, signals, approvals, leases. Defaults to a
   * `FileRunStore` over `projectPath` (seed 004's folders).
   */
  store?: RunStore;
  /**
   * A durable engine's journal (the `restate` backend): step attempts and timers go
   * through it, script and agent steps become jobs for a worker, and the step timeout is
   * the worker's to enforce. Unset: attempts run in this process.
   */
  journal?: RunJournal;
}

export interface StartRunInput {
  runId: string;
  definition: WorkflowDefinition;
  snapshot: DefinitionSnapshot;
  args: Record<string, unknown>;
  /**
   * A code template's esbuild bundle (LoadedTemplate.bundle), saved beside definition.json
   * so a resume in another process runs exactly the code the run started with.
   */
  bundle?: string;
  /** Where steps run (a worktree); defaults to the project root. */
  workdir?: string;
  parentRunId?: string;
}

/** How a call to start/resume ended. `paused` and `waiting` runs can be resumed. */
export interface RunOutcome {
  runId: string;
  status: Extract<RunStatus, "completed" | "failed" | "cancelled" | "paused" | "waiting">;
  result?: unknown;
  error?: SerializedError;
  /** Why a paused run stopped on its own (beforeAgentStep), e.g. a budget. */
  pauseReason?: string;
  /** Set when the run ended with continueAsNew. */
  continuedAs?: string;
  /**
   * A waiting run with a deadline (a signal's timeout): when to resume it, so it can time
   * out even if nothing arrives. ISO timestamp.
   */
  wakeAt?: string;
}

export interface RunHandle {
  runId: string;
  done: Promise<RunOutcome>;
  /** Stop before the next step; `now` also interrupts the running step (it reruns on resume). */
  pause(options?: { now?: boolean }): Promise<void>;
  /** Kill the running step, run `finally` steps, end as cancelled. */
  cancel(): Promise<void>;
}

/** A step of a run that is not in its template (a review follow-up). */
export interface ExtraStepInput<T = unknown> {
  /** Its key among the run's steps (`review-1`); must not be one the template uses. */
  key: string;
  config: StepConfig<T>;
  /** Where it runs (the run's worktree); defaults to the project root. */
  workdir?: string;
  /** An agent step: the session it continues (the step it follows up). */
  resumeSessionId?: string;
  /** Its place in the run's step list; defaults to after the steps the checkpoint holds. */
  sequence?: number;
  /** Aborting it stops the step; it then ends `cancelled`. */
  signal?: AbortSignal;
}

export interface ExtraStepHandle<T = unknown> {
  runId: string;
  stepKey: string;
  /** Resolves once the observer has heard the step start; rejects when it never does. */
  started: Promise<void>;
  /** The step's result (failed and cancelled steps resolve too); rejects on a setup error. */
  done: Promise<StepResult<T>>;
}

/** The executor's public surface, as the server and the CLI use it. */
export interface WorkflowExecutorApi {
  start(input: StartRunInput): RunHandle;
  /**
   * Continue from the newest valid checkpoint, replaying memoized steps. Without a
   * definition, the run's pinned snapshot (definition.json and its bundle) is loaded.
   */
  resume(runId: string, options?: { definition?: WorkflowDefinition; workdir?: string }): RunHandle;
  /** Keep results of steps before `phase`; the next resume runs the rest again. */
  rewind(runId: string, phase: string): Promise<void>;
  /**
   * Records a signal durably; a run waiting for it continues on its next resume. A run
   * that continued as a new run passes it on to its newest successor; answers the id of
   * the run that got it. Throws `RunEndedError` for a run that completed or was cancelled.
   */
  signal(runId: string, name: string, payload?: unknown): Promise<string>;
  /**
   * Runs a step the run's template does not have, as a step of the run (logs, events,
   * usage, the host's budget check) under its lease; refused while the run executes.
   */
  runExtraStep?<T>(runId: string, input: ExtraStepInput<T>): ExtraStepHandle<T>;
  /** Records an approval decision for `ctx.approval(id)`. */
  approve(
    runId: string,
    approvalId: string,
    decision: { approved: boolean; by?: string; comment?: string },
  ): Promise<void>;
  /**
   * Pause and cancel for a run this process does not execute, reaching it where it runs
   * (a shared cluster, where another server attached to it). Absent where only the
   * process executing a run can stop it (the local backend).
   */
  control?(runId: string): Pick<RunHandle, "pause" | "cancel">;
}
