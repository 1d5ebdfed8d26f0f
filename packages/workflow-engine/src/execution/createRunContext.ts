import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HostMissingError } from "../errors/HostMissingError.js";
import { RunCancelledError } from "../errors/RunCancelledError.js";
import { SignalTimeoutError } from "../errors/SignalTimeoutError.js";
import { serializeError } from "../errors/serializeError.js";
import { runConfiguredStep } from "../steps/runConfiguredStep.js";
import { runScriptStep } from "../steps/runScriptStep.js";
import type {
  ApprovalDecision,
  ChildRunResult,
  ChildWorkspace,
  ExecResult,
  ParallelOptions,
  Prerequisite,
  PullRequestOptions,
  ReceivedSignal,
  WorkflowContext,
} from "../types/context.js";
import type { RunOutcome } from "../types/executor.js";
import type {
  AgentStepConfig,
  Duration,
  ScriptStepConfig,
  StepConfig,
  StepResult,
} from "../types/step.js";
import { abortableDelay } from "./abortableDelay.js";
import { durableCall } from "./durableCall.js";
import { durationToMs } from "./durationToMs.js";
import { MemoKeys } from "./MemoKeys.js";
import { NEVER, type RunExecution } from "./RunExecution.js";
import { runParallel } from "./runParallel.js";
import { noteTaken, untakenSignals } from "./signalCursor.js";

/**
 * The WorkflowContext a template's `execute(ctx)` drives for one execution of `run`.
 * Each memoized method is one `durableCall` (memo key, phase check, gate, checkpoint,
 * observer events); the helpers built on steps (`sendSignal`, `mergeRun`…) are steps.
 */
export function createRunContext(run: RunExecution): WorkflowContext {
  const scope = new AsyncLocalStorage<string>();
  const keys = new MemoKeys(() => scope.getStore() ?? "");
  const options = run.owner.options;
  let commentCalls = 0;

  /** `ctx.step`; `hostCall`: the body is one host call (see StepSpec.hostCall). */
  const configuredStep = <T>(id: string, config: StepConfig<T>, hostCall = false) => {
    const { fn: _fn, ...input } = config as StepConfig<T> & { fn?: unknown };
    return run.runStep<T>({
      key: keys.next(id),
      info: { type: config.type, name: config.name ?? id, phase: config.phase, input },
      policy: config,
      attempt: (attempt) => runConfiguredStep(config, attempt),
      ...(config.type !== "function" && {
        job: { type: config.type, config: input as AgentStepConfig | ScriptStepConfig },
      }),
      ...(hostCall && { hostCall }),
    });
  };
  /** A step whose whole body is one call of the host: the helpers below. */
  const hostStep = async <T>(
    id: string,
    config: { name: string; phase: string; fn: () => Promise<T> },
  ): Promise<T> => {
    const result = await configuredStep<T>(id, { type: "function", ...config }, true);
    if (result.status !== "completed") {
      throw new Error(result.error?.message ?? `${config.name} failed`);
    }
    return result.data as T;
  };

  const ctx: WorkflowContext = {
    runId: run.runId,
    projectPath: options.projectPath,
    workdir: run.workdir,
    args: run.args,
    get prerequisites() {
      return readPrerequisites(
        join(options.projectPath, ".agent", "workflows", "executions", run.runId),
      );
    },

    step<T>(id: string, config: StepConfig<T>) {
      return configuredStep(id, config);
    },

    parallel<I, R>(items: readonly I[], parallel: ParallelOptions<I>, fn: (item: I) => Promise<R>) {
      const prefix = scope.getStore() ?? "";
      return runParallel(items, parallel, (item, key) =>
        scope.run(`${prefix}${key}/`, () => fn(item)),
      );
    },

    run<T>(
      template: string,
      args: Record<string, unknown>,
      childOptions: {
        id?: string;
        name?: string;
        phase?: string;
        workspace?: ChildWorkspace;
      } = {},
    ): Promise<ChildRunResult<T>> {
      const key = keys.next(childOptions.id ?? template);
      const name = childOptions.name ?? template;
      const phase = childOptions.phase ?? run.currentPhase;
      const host = options.host;
      return durableCall<ChildRunResult<T>>(run, {
        key,
        type: "workflow",
        name,
        phase,
        replay: (memoized) => memoized.data as ChildRunResult<T>,
        before: async () => {
          if (!host) throw new HostMissingError("ctx.run needs an executor created with a host");
          return undefined;
        },
        execute: async (call) => {
          if (!host) return NEVER;
          const loaded = await host.loadTemplate(template);
          const pending = run.checkpoint.pending;
          let childId = pending.children[key];
          if (!childId) {
            const created = await host.createChildRun({
              parentRunId: run.runId,
              template: loaded,
              args,
              name,
              ...(childOptions.workspace === "own" && { workspace: "own" as const }),
            });
            childId = created.runId;
            pending.children[key] = childId;
            if (created.workdir !== undefined) {
              pending.child_workdirs = { ...pending.child_workdirs, [key]: created.workdir };
            }
            await run.save();
          }
          // Recorded with the child's id, so a resumed parent drives it in the same folder.
          const childWorkdir = run.checkpoint.pending.child_workdirs?.[key];
          await call.announce({ type: "workflow", name, phase }, { status: "waiting" });
          const handle = run.owner.startOrResumeChild(childId, loaded.definition, {
            snapshot: loaded.snapshot,
            bundle: loaded.bundle,
            args,
            workdir: childWorkdir ?? run.workdir,
            parentRunId: run.runId,
          });
          // Pause and cancel reach the child through `children`; the parent stays in flight
          // until the child has stopped, so neither outlives the other's bookkeeping.
          const holder = new AbortController();
          run.children.add(handle);
          const release = run.hold(holder);
          let outcome: RunOutcome;
          try {
            outcome = await handle.done;
          } finally {
            run.children.delete(handle);
            release();
          }
          if (run.crashed) return NEVER;
          if (holder.signal.aborted && holder.signal.reason instanceof RunCancelledError) {
            throw holder.signal.reason;
          }
          if (outcome.status === "paused" || outcome.status === "waiting") {
            return run.suspend(outcome.status === "waiting" ? "waiting" : "paused");
          }
          const data: ChildRunResult<T> = {
            runId: childId,
            status: outcome.status,
            ...(outcome.result !== undefined ? { result: outcome.result as T } : {}),
            ...(childWorkdir !== undefined && { workdir: childWorkdir }),
          };
          await call.settle(
            { stepId: key, status: "completed", data },
            { type: "workflow", name, phase, attempt: 1 },
          );
          return data;
        },
      });
    },

    async waitForSignal<T>(
      name: string,
      signalOptions: { timeout?: Duration; phase?: string } = {},
    ) {
      const received = await awaitSignals<T>(keys.next(name), [name], name, signalOptions);
      return received.payload;
    },

    waitForSignals<T>(
      names: string[],
      signalOptions: { id?: string; timeout?: Duration; phase?: string } = {},
    ) {
      const label = names.join("+");
      return awaitSignals<T>(keys.next(signalOptions.id ?? label), names, label, signalOptions);
    },

    pollSignals<T>(names: string[], pollOptions: { id?: string } = {}) {
      const label = `poll:${names.join("+")}`;
      const key = keys.next(pollOptions.id ?? label);
      return durableCall<ReceivedSignal<T>[]>(run, {
        key,
        type: "signal",
        name: label,
        replay: (memoized) => memoized.data as ReceivedSignal<T>[],
        execute: async (call) => {
          const taken = untakenSignals(run.store, run.runId, run.checkpoint, names);
          const received = taken.map((signal) => ({
            name: signal.name,
            payload: signal.payload as T,
          }));
          // Bookkeeping, not work: recorded for replay but not listed as a step on the board.
          noteTaken(run.checkpoint, key, taken);
          await call.record(
            { stepId: key, status: "completed", data: received },
            { type: "signal", name: label, phase: run.currentPhase, attempt: 1 },
          );
          return received;
        },
      });
    },

    async sendSignal(
      template: string,
      name: string,
      payload?: unknown,
      sendOptions: { id?: string; phase?: string } = {},
    ) {
      const host = options.host;
      if (!host?.signalRuns) {
        throw new HostMissingError("ctx.sendSignal needs an executor whose host can signal runs");
      }
      const signalRuns = host.signalRuns.bind(host);
      const result = await hostStep<{ runIds: string[] }>(sendOptions.id ?? `signal-${template}`, {
        name: `Signal ${name} to ${template}`,
        phase: sendOptions.phase ?? run.currentPhase,
        fn: () => signalRuns({ fromRunId: run.runId, template, name, payload }),
      });
      return result ?? { runIds: [] };
    },

    diffOfRun(runId: string, diffOptions: { id?: string; phase?: string } = {}) {
      const host = options.host;
      if (!host?.diffOfRun) {
        throw new HostMissingError("ctx.diffOfRun needs an executor whose host has worktrees");
      }
      const diffOfRun = host.diffOfRun.bind(host);
      return hostStep(diffOptions.id ?? `diff-${runId}`, {
        name: `Diff of run ${runId}`,
        phase: diffOptions.phase ?? run.currentPhase,
        fn: () => diffOfRun(runId),
      });
    },

    mergeRun(
      runId: string,
      mergeOptions: { id?: string; phase?: string; mode?: "ff" | "squash"; message?: string } = {},
    ) {
      const host = options.host;
      if (!host?.mergeRun) {
        throw new HostMissingError("ctx.mergeRun needs an executor whose host has worktrees");
      }
      const mergeRun = host.mergeRun.bind(host);
      const mode = mergeOptions.mode ?? "squash";
      return hostStep(mergeOptions.id ?? `merge-${runId}`, {
        name: `Merge run ${runId} (${mode})`,
        phase: mergeOptions.phase ?? run.currentPhase,
        fn: () =>
          mergeRun(runId, {
            mode,
            ...(mergeOptions.message !== undefined && { message: mergeOptions.message }),
          }),
      });
    },

    openPullRequest(prOptions: PullRequestOptions & { id?: string; phase?: string } = {}) {
      const host = options.host;
      if (!host?.openPullRequest) {
        throw new HostMissingError(
          "ctx.openPullRequest needs an executor whose host opens pull requests (the Phaseboard server)",
        );
      }
      const openPullRequest = host.openPullRequest.bind(host);
      const { id, phase, ...request } = prOptions;
      return hostStep(id ?? "pull-request", {
        name: request.draft ? "Open a draft pull request" : "Open a pull request",
        phase: phase ?? run.currentPhase,
        fn: () => openPullRequest({ runId: run.runId, ...request }),
      });
    },

    async removeRunWorktree(runId: string, removeOptions: { id?: string; phase?: string } = {}) {
      const host = options.host;
      if (!host?.removeRunWorktree) {
        throw new HostMissingError(
          "ctx.removeRunWorktree needs an executor whose host has worktrees",
        );
      }
      const removeRunWorktree = host.removeRunWorktree.bind(host);
      await hostStep(removeOptions.id ?? `remove-worktree-${runId}`, {
        name: `Remove the worktree of run ${runId}`,
        phase: removeOptions.phase ?? run.currentPhase,
        fn: async () => {
          await removeRunWorktree(runId);
          return null;
        },
      });
    },

    approval(id: string, approvalOptions: { message: string; phase?: string }) {
      const key = keys.next(id);
      const phase = approvalOptions.phase ?? run.currentPhase;
      return durableCall<ApprovalDecision>(run, {
        key,
        type: "approval",
        name: id,
        phase,
        replay: (memoized) => memoized.data as ApprovalDecision,
        execute: async (call) => {
          const decision = run.store.readApproval(run.runId, key);
          if (decision) {
            await call.settle(
              { stepId: key, status: "completed", data: decision },
              { type: "approval", name: id, phase, attempt: 1 },
              approvalOptions.message,
            );
            return decision;
          }
          await call.announce(
            { type: "approval", name: approvalOptions.message, phase },
            { status: "waiting" },
          );
          return run.suspend("waiting");
        },
      });
    },

    sleep(id: string, duration: Duration) {
      const key = keys.next(id);
      return durableCall<void>(run, {
        key,
        type: "sleep",
        name: id,
        replay: () => undefined,
        execute: async (call) => {
          const wakeAt = await run.timer(key, duration);
          await call.announce(
            { type: "sleep", name: id, phase: run.currentPhase },
            { status: "waiting" },
          );
          const journal = options.journal;
          await run.interruptible((signal) =>
            journal
              ? journal.sleep(key, durationToMs(duration), signal)
              : abortableDelay(wakeAt - Date.now(), signal),
          );
          await call.settle(
            {
              stepId: key,
              status: "completed",
              data: { wakeAt: new Date(wakeAt).toISOString() },
            },
            { type: "sleep", name: id, phase: run.currentPhase, attempt: 1 },
          );
        },
      });
    },

    async setState(state: Record<string, unknown>) {
      run.checkpoint.state = { ...run.checkpoint.state, ...state };
      await run.save();
      await run.observer.onState?.({ runId: run.runId, state: run.checkpoint.state });
    },

    comment(text, commentOptions = {}) {
      commentCalls += 1;
      const call = commentCalls;
      return durableCall<void>(run, {
        key: `comment#${call}`,
        type: "function",
        name: "comment",
        // Counted, not keyed: comments emitted before a restart are not emitted again.
        recorded: () =>
          call <= run.checkpoint.comment_count
            ? { stepId: `comment#${call}`, status: "completed" }
            : undefined,
        replay: () => undefined,
        ungated: true,
        execute: async () => {
          run.checkpoint.comment_count = call;
          await run.save();
          await run.observer.onComment?.({
            runId: run.runId,
            text,
            type: commentOptions.type ?? "system",
            ...(commentOptions.stepId ? { stepKey: commentOptions.stepId } : {}),
          });
        },
      });
    },

    async exec(command, execOptions = {}) {
      const result = await run.runStep<ExecResult>({
        key: keys.next("exec"),
        info: {
          type: "script",
          name: command,
          phase: run.currentPhase,
          input: { command, ...execOptions },
        },
        policy: {},
        // exec reports the exit code instead of failing, like child_process.exec
        attempt: (attempt) =>
          runScriptStep({ command, ...execOptions }, attempt, { allowNonZeroExit: true }),
        job: {
          type: "script",
          config: { type: "script", phase: run.currentPhase, command, ...execOptions },
          allowNonZeroExit: true,
        },
      });
      return result.data as ExecResult;
    },

    getStepResult<T>(stepId: string) {
      // Inside a parallel item, its own steps first (`lib/build`), then the run's.
      const scoped = `${scope.getStore() ?? ""}${stepId}`;
      const results = run.checkpoint.step_results;
      return (results[scoped] ?? results[stepId]) as StepResult<T> | undefined;
    },

    async checkpoint() {
      await run.save();
    },

    async continueAsNew(args: Record<string, unknown>): Promise<never> {
      const host = options.host;
      let next = run.checkpoint.continued_as;
      if (!next) {
        if (!host?.createContinuationRun) {
          throw new HostMissingError("ctx.continueAsNew needs a host with createContinuationRun");
        }
        next = (await host.createContinuationRun({ previousRunId: run.runId, args })).runId;
        run.checkpoint.continued_as = next;
        await run.save();
      }
      return run.continueAs(next, args);
    },
  };

  /**
   * A durable wait for the oldest untaken signal among `names`. A deadline that passed is
   * recorded as the step's failure, so a replay throws SignalTimeoutError again instead of
   * taking a signal that arrived later.
   */
  function awaitSignals<T>(
    key: string,
    names: string[],
    label: string,
    signalOptions: { timeout?: Duration; phase?: string },
  ): Promise<ReceivedSignal<T>> {
    // Single-name waits record the bare payload; multi-name waits the name with it.
    const bare = names.length === 1 && label === names[0];
    const phase = signalOptions.phase ?? run.currentPhase;
    return durableCall<ReceivedSignal<T>>(run, {
      key,
      type: "signal",
      name: label,
      phase,
      replay: (memoized) => {
        if (memoized.status === "failed") {
          throw new SignalTimeoutError(memoized.error?.message ?? `signal "${label}" timed out`);
        }
        return bare
          ? { name: label, payload: memoized.data as T }
          : (memoized.data as ReceivedSignal<T>);
      },
      execute: async (call) => {
        const meta = { type: "signal" as const, name: label, phase, attempt: 1 };
        const [next] = untakenSignals(run.store, run.runId, run.checkpoint, names);
        if (next) {
          const received = { name: next.name, payload: next.payload as T };
          noteTaken(run.checkpoint, key, [next]);
          const data = bare ? received.payload : received;
          await call.settle({ stepId: key, status: "completed", data }, meta);
          return received;
        }
        if (signalOptions.timeout !== undefined) {
          const deadline = await run.timer(key, signalOptions.timeout);
          if (Date.now() >= deadline) {
            const error = new SignalTimeoutError(
              `signal "${label}" did not arrive within ${signalOptions.timeout}`,
            );
            noteTaken(run.checkpoint, key, []);
            await call.settle(
              { stepId: key, status: "failed", error: serializeError(error) },
              meta,
            );
            throw error;
          }
        }
        await call.announce({ type: "signal", name: label, phase }, { status: "waiting" });
        return run.suspend("waiting");
      },
    });
  }

  return ctx;
}

/** A host call as a durable function step: its result, or its error thrown again. */
/** `prerequisites.json`, written by the host when the run's prerequisites completed. */
function readPrerequisites(runDir: string): Record<string, Prerequisite> {
  try {
    return JSON.parse(readFileSync(join(runDir, "prerequisites.json"), "utf8")) as Record<
      string,
      Prerequisite
    >;
  } catch {
    return {};
  }
}
