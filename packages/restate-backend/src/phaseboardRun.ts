import "./polyfillPromiseWithResolvers.js";
import {
  type DefinitionSnapshot,
  loadDefinitionFromSnapshot,
  type RunHandle,
  type RunOutcome,
  serializeError,
  WorkflowExecutor,
} from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import { JournalRunStore } from "./JournalRunStore.js";
import { RestateJournal } from "./RestateJournal.js";
import { type RunEvent, runEvents } from "./RunEvents.js";
import { runInbox } from "./RunInbox.js";
import { parkWhilePaused } from "./RunParking.js";

function withoutStack(key: string, value: unknown): unknown {
  return key === "stack" ? undefined : value;
}

/** Everything a run pins when it starts: the invocation's input, journaled by Restate. */
export interface RestateRunInput {
  runId: string;
  /** The repository root on the worker's machine. */
  projectPath: string;
  /** Where the run's steps execute on the worker's machine (its worktree). */
  workdir?: string;
  /** The worker the run is pinned to: its step jobs go to that worker's queue. */
  workerId: string;
  snapshot: DefinitionSnapshot;
  args: Record<string, unknown>;
  /** A code template's esbuild bundle. */
  bundle?: string;
  /** The run's variables for its steps (PHASEBOARD_PORT…), as the server gave them at start. */
  env?: Record<string, string>;
}

/**
 * One generic workflow that executes any Phaseboard run: it rebuilds the template from
 * the run's pinned snapshot (never from the files of the moment) and drives it with the
 * same engine as the local backend, the journal standing in for checkpoint files.
 *
 * A run that waits (a signal, an approval) parks on an awakeable its inbox resolves when
 * something arrives — or on a durable timer for a signal's timeout — then the engine
 * resumes it in the same invocation and replays its memoized steps from memory.
 */
export const phaseboardRun = restate.workflow({
  name: "PhaseboardRun",
  handlers: {
    run: async (ctx: restate.WorkflowContext, input: RestateRunInput): Promise<RunOutcome> => {
      let definition: Awaited<ReturnType<typeof loadDefinitionFromSnapshot>>;
      try {
        definition = await loadDefinitionFromSnapshot(
          input.snapshot,
          input.bundle,
          `pinned snapshot of run ${input.runId}`,
        );
      } catch (error) {
        // The same snapshot fails the same way every time: retrying cannot help.
        throw new restate.TerminalError(
          `run ${input.runId} cannot load its pinned template: ${serializeError(error).message}`,
        );
      }
      // Only what a replay re-issues identically: no timestamps, durations or stacks,
      // and no progress lines (a replayed step does not run, so it prints nothing).
      const feed = ctx.objectSendClient(runEvents, input.runId);
      const send = (event: RunEvent): void => {
        feed.append(JSON.parse(JSON.stringify(event, withoutStack)));
      };
      const store = new JournalRunStore();
      const executor = new WorkflowExecutor({
        projectPath: input.projectPath,
        workerId: input.workerId,
        store,
        journal: new RestateJournal(
          ctx,
          input.workerId,
          () => void handle.cancel(),
          () => void handle.pause({ now: true }),
        ),
        observer: {
          onStepStarted: (event) => send({ kind: "step_started", data: { ...event } }),
          onStepCompleted: ({ durationMs: _duration, ...event }) =>
            send({ kind: "step_completed", data: event }),
          onPhaseChanged: (event) => send({ kind: "phase_changed", data: { ...event } }),
          onState: (event) => send({ kind: "state", data: { ...event } }),
        },
        ...(input.env && { runEnvironment: async () => input.env }),
        // Restate is the lease; the engine's heartbeat has nothing to renew.
        heartbeatIntervalMs: 24 * 60 * 60 * 1000,
      });
      const inbox = ctx.objectClient(runInbox, input.runId);
      const workdir = input.workdir ?? input.projectPath;
      let seen = 0;
      let pauses = 0;
      // The journal's cancel hook reads `handle`: always the current execution.
      let handle: RunHandle = executor.start({
        runId: input.runId,
        definition,
        snapshot: input.snapshot,
        args: input.args,
        ...(input.bundle !== undefined && { bundle: input.bundle }),
        workdir,
      });
      for (;;) {
        let outcome: RunOutcome;
        try {
          outcome = await handle.done;
        } catch (error) {
          throw new restate.TerminalError(
            `run ${input.runId} could not start: ${serializeError(error).message}`,
          );
        }
        if (outcome.status === "paused") {
          // Parked in this invocation, not ended: see ARCHITECTURE.md ("Pause and resume").
          pauses += 1;
          await parkWhilePaused(ctx, input.runId, pauses, {
            paused: (pause) =>
              ctx.objectClient(runEvents, input.runId).append({ kind: "paused", data: { pause } }),
          });
          handle = executor.resume(input.runId, { definition, workdir });
          continue;
        }
        if (outcome.status !== "waiting") {
          // A call, after the sends: the object takes them in order, so once this answers
          // the feed holds every event of the run and a reader may stop reading.
          await ctx
            .objectClient(runEvents, input.runId)
            .append({ kind: "ended", data: { status: outcome.status } });
          return outcome;
        }
        const arrived = ctx.awakeable<number>();
        await inbox.watch({ awakeableId: arrived.id, seen });
        if (outcome.wakeAt) {
          const now = await ctx.date.now();
          const wait = Math.max(0, Date.parse(outcome.wakeAt) - now);
          await restate.RestatePromise.race([arrived.promise, ctx.sleep(wait, "signal timeout")]);
        } else {
          await arrived.promise;
        }
        const entries = await inbox.read();
        for (const entry of entries.slice(seen)) {
          if (entry.kind === "signal") store.recordSignal(input.runId, entry.name, entry.payload);
          else store.writeApproval(input.runId, entry.key, entry.decision);
        }
        seen = entries.length;
        handle = executor.resume(input.runId, { definition, workdir });
      }
    },
  },
});

export type PhaseboardRun = typeof phaseboardRun;
