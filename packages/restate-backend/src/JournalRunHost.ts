import "./polyfillPromiseWithResolvers.js";
import type {
  DefinitionSnapshot,
  LoadedTemplate,
  OpenedPullRequest,
  PullRequestOptions,
  RunDiff,
  RunHost,
  WorkflowDefinition,
} from "@phaseboard/workflow-engine";
import type * as restate from "@restatedev/restate-sdk";
import type { InvocationAwaits } from "./InvocationAwaits.js";
import type { HostMethod, RunEvent } from "./RunEvents.js";

/** A template as it crosses the journal: everything but the definition, rebuilt here. */
export type WireTemplate = Omit<Extract<LoadedTemplate, { ok: true }>, "definition">;

/** What each host call sends (the engine's input, with the template named, not carried). */
export interface HostCallInputs {
  loadTemplate: { reference: string };
  createChildRun: {
    parentRunId: string;
    template: string;
    args: Record<string, unknown>;
    name: string;
    workspace?: "own";
  };
  createContinuationRun: { previousRunId: string; args: Record<string, unknown> };
  signalRuns: { fromRunId: string; template: string; name: string; payload?: unknown };
  diffOfRun: { runId: string };
  mergeRun: { runId: string; mode: "ff" | "squash"; message?: string };
  openPullRequest: { runId: string } & PullRequestOptions;
  removeRunWorktree: { runId: string };
}

/**
 * The server also answers the arguments it pinned for the new run (validated, defaults
 * filled in): the run starts with those, as a local run resumes from its args.json.
 */
export interface HostCallAnswers {
  loadTemplate: WireTemplate;
  createChildRun: { runId: string; workdir?: string; args?: Record<string, unknown> };
  createContinuationRun: { runId: string; args?: Record<string, unknown> };
  signalRuns: { runIds: string[] };
  diffOfRun: RunDiff;
  mergeRun: { commit: string };
  openPullRequest: OpenedPullRequest;
  removeRunWorktree: null;
}

/**
 * The engine's {@link RunHost} inside a run's invocation. The host (the board's database,
 * the project's templates) lives with the server, which an invocation cannot call — servers
 * only call out. So each host call is an awakeable and a `host_call` entry in the run's
 * board feed, which the server that relays the feed answers by resolving the awakeable
 * (`RestateExecutor`). Both are journal entries: a replayed invocation gets the recorded
 * answer (the same child id, the same template) and never asks twice; `host_answered`
 * tells a server reading the feed again (after its restart) that the call needs nothing.
 */
export function journalRunHost(
  ctx: restate.WorkflowContext,
  send: (event: RunEvent) => void,
  awaits: InvocationAwaits,
  /** Filled with the arguments the server pinned for each child and successor it made. */
  pinnedArgs: Map<string, Record<string, unknown>>,
): RunHost {
  const call = async <M extends HostMethod>(
    method: M,
    input: HostCallInputs[M],
  ): Promise<HostCallAnswers[M]> => {
    const answer = ctx.awakeable<HostCallAnswers[M]>();
    send({ kind: "host_call", data: { id: answer.id, method, input } });
    let made: string | undefined;
    try {
      const value = await awaits.wait(answer.promise);
      // A run the host made (a child, a successor): the server relays it to its card.
      if (method === "createChildRun" || method === "createContinuationRun") {
        made = (value as { runId: string }).runId;
      }
      return value;
    } finally {
      send({
        kind: "host_answered",
        data: { id: answer.id, ...(made !== undefined && { runId: made }) },
      });
    }
  };
  // The parent never executes a child's template here (the child's own invocation loads
  // it), and loading one is file I/O that would make this invocation's order of waits
  // depend on the disk (see InvocationAwaits): the definition is a stand-in.
  const rebuild = (wire: WireTemplate): Extract<LoadedTemplate, { ok: true }> => {
    const snapshot = wire.snapshot as DefinitionSnapshot;
    return {
      ...wire,
      definition: {
        ...(snapshot as unknown as WorkflowDefinition),
        phases: snapshot.phases ?? [],
        execute: () => {
          throw new Error(`template ${wire.identifier} runs in its own invocation on Restate`);
        },
      },
    };
  };
  const pinned = <A extends { runId: string; args?: Record<string, unknown> }>(answer: A) => {
    if (answer.args) pinnedArgs.set(answer.runId, answer.args);
    return answer;
  };
  return {
    loadTemplate: async (reference) => rebuild(await call("loadTemplate", { reference })),
    createChildRun: async ({ parentRunId, template, args, name, workspace }) =>
      pinned(
        await call("createChildRun", {
          parentRunId,
          template: template.identifier,
          args,
          name,
          ...(workspace === "own" && { workspace }),
        }),
      ),
    createContinuationRun: async (input) => pinned(await call("createContinuationRun", input)),
    // Steps whose body is this one call (RunJournal.attempt's `hostCall`): the answer is
    // the step's recorded outcome, so a replay never signals or merges twice.
    signalRuns: (input) => call("signalRuns", input),
    diffOfRun: (runId) => call("diffOfRun", { runId }),
    mergeRun: (runId, options) => call("mergeRun", { runId, ...options }),
    openPullRequest: (input) => call("openPullRequest", input),
    removeRunWorktree: async (runId) => {
      await call("removeRunWorktree", { runId });
    },
  };
}
