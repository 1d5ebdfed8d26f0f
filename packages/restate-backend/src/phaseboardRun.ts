import "./polyfillPromiseWithResolvers.js";
import {
  type Checkpoint,
  type DefinitionSnapshot,
  loadDefinitionFromSnapshot,
  type RunHandle,
  type RunOutcome,
  serializeError,
  WorkflowExecutor,
} from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import { InvocationAwaits } from "./InvocationAwaits.js";
import { journalRunHost } from "./JournalRunHost.js";
import { JournalRunStore } from "./JournalRunStore.js";
import { RestateJournal } from "./RestateJournal.js";
import { type RunEvent, runEvents } from "./RunEvents.js";
import { runInbox } from "./RunInbox.js";
import { type PauseOrder, parkWhilePaused, runParking } from "./RunParking.js";

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
  /** A child run's parent (`ctx.run`), as on the local backend. */
  parentRunId?: string;
  /**
   * Where a rewound run's new generation starts: the checkpoint with the results of the
   * phases it keeps, replayed from memory instead of the journal (see RestateExecutor.rewind).
   */
  checkpoint?: Checkpoint;
  /** The run's variables for its steps (PHASEBOARD_PORT…), as the server gave them at start. */
  env?: Record<string, string>;
}

/** The run's checkpoint once its invocation ended: what a rewind starts from. */
const CHECKPOINT = "checkpoint";

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
      const awaits = new InvocationAwaits();
      const pinnedArgs = new Map<string, Record<string, unknown>>();
      const store = new JournalRunStore({
        ...(input.checkpoint !== undefined && { seeds: { [input.runId]: input.checkpoint } }),
        // After continueAsNew: what this run did not take is its successor's to take.
        onSignalsMoved: (successor, signals) => {
          for (const signal of signals) {
            ctx
              .objectSendClient(runInbox, successor)
              .send({ kind: "signal", name: signal.name, payload: signal.payload });
          }
        },
      });
      const executor = new WorkflowExecutor({
        projectPath: input.projectPath,
        workerId: input.workerId,
        store,
        host: journalRunHost(ctx, send, awaits, pinnedArgs),
        journal: new RestateJournal(
          ctx,
          input.workerId,
          () => void handle.cancel(),
          input.projectPath,
          awaits,
          pinnedArgs,
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
      // A pause reaches the invocation itself (see ARCHITECTURE.md, "Pause and resume"): an
      // awakeable registered with the run's parking object, raced with everything the
      // invocation waits on. Executing, the engine pauses (a sleep at once, a running step
      // first finishes unless now); waiting for a signal or approval, the wait is given up.
      let waitAbort: AbortController | undefined;
      let pausedWhileWaiting = false;
      let armedOnce = false;
      let runEnded = false;
      // A pause given to the engine that has not parked the run yet: it also holds for the
      // next execution when the engine had just ended `waiting` as it came.
      let heldPause: PauseOrder | undefined;
      const watchPause = (): restate.RestatePromise<void> | undefined => {
        const order = ctx.awakeable<PauseOrder>();
        awaits.interrupt(order.promise, ({ now }) => {
          // Armed again at once, for a later pause (a pause-now after a pause), unless the
          // run has ended and only its last feed entry is on the way.
          if (runEnded) return;
          watchPause();
          heldPause = { now: now || heldPause?.now === true };
          if (waitAbort) {
            pausedWhileWaiting = true;
            waitAbort.abort(new Error("the run paused"));
          } else void handle.pause({ now });
        });
        const request = { awakeableId: order.id, workerId: input.workerId };
        if (armedOnce) {
          ctx.objectSendClient(runParking, input.runId).watchPause(request);
          return undefined;
        }
        armedOnce = true;
        return ctx.objectClient(runParking, input.runId).watchPause(request);
      };
      // Awaited once, before any step: from then on the parking object knows the run's worker.
      const armed = watchPause();
      if (armed) await awaits.wait(armed);
      // The journal's cancel hook reads `handle`: always the current execution.
      let handle: RunHandle = executor.start({
        runId: input.runId,
        definition,
        snapshot: input.snapshot,
        args: input.args,
        ...(input.bundle !== undefined && { bundle: input.bundle }),
        ...(input.parentRunId !== undefined && { parentRunId: input.parentRunId }),
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
        if (outcome.continuedAs !== undefined) {
          // Signals that arrived since the engine last read the inbox were never taken:
          // the successor takes them, after those the engine passed on (arrival order).
          const successor = ctx.objectSendClient(runInbox, outcome.continuedAs);
          for (const entry of (await awaits.wait(inbox.read())).slice(seen)) {
            if (entry.kind === "signal") successor.send(entry);
          }
        }
        if (outcome.status === "paused" || pausedWhileWaiting) {
          // Parked in this invocation, not ended: see ARCHITECTURE.md ("Pause and resume").
          pausedWhileWaiting = false;
          heldPause = undefined;
          pauses += 1;
          await parkWhilePaused(
            ctx,
            input.runId,
            pauses,
            {
              paused: (pause) =>
                awaits.wait(
                  ctx
                    .objectClient(runEvents, input.runId)
                    .append({ kind: "paused", data: { pause } }),
                ),
            },
            (promise) => awaits.wait(promise),
          );
          handle = executor.resume(input.runId, { definition, workdir });
          continue;
        }
        if (outcome.status !== "waiting") {
          // Kept with the workflow after it ends, for a rewind to start a generation from.
          // Read through `ctx.run`: the checkpoint carries wall-clock times, and state set
          // from a value that differs on replay is a journal mismatch (a replay after a
          // leader moved would fail for good); the journaled copy is the same every time.
          const kept = await awaits.wait(
            ctx.run("checkpoint", () => store.loadCheckpoint(input.runId)?.checkpoint ?? null),
          );
          ctx.set(CHECKPOINT, kept);
          runEnded = true;
          ctx.objectSendClient(runParking, input.runId).ended();
          // A call, after the sends: the object takes them in order, so once this answers
          // the feed holds every event of the run and a reader may stop reading.
          await awaits.wait(
            ctx
              .objectClient(runEvents, input.runId)
              .append({ kind: "ended", data: { status: outcome.status } }),
          );
          return outcome;
        }
        if (heldPause) {
          // Paused as the engine ended waiting: park now.
          pausedWhileWaiting = true;
          continue;
        }
        const arrived = ctx.awakeable<number>();
        waitAbort = new AbortController();
        try {
          await awaits.wait(inbox.watch({ awakeableId: arrived.id, seen }));
          if (outcome.wakeAt) {
            const now = await awaits.wait(ctx.date.now());
            const wait = Math.max(0, Date.parse(outcome.wakeAt) - now);
            await awaits.wait(
              restate.RestatePromise.race([arrived.promise, ctx.sleep(wait, "signal timeout")]),
              waitAbort.signal,
            );
          } else {
            await awaits.wait(arrived.promise, waitAbort.signal);
          }
        } catch (error) {
          if (!pausedWhileWaiting) throw error;
        } finally {
          waitAbort = undefined;
        }
        // Paused while waiting: park; once resumed the engine waits again (taking what
        // arrived meanwhile).
        if (pausedWhileWaiting) continue;
        const entries = await awaits.wait(inbox.read());
        for (const entry of entries.slice(seen)) {
          if (entry.kind === "signal") store.recordSignal(input.runId, entry.name, entry.payload);
          else store.writeApproval(input.runId, entry.key, entry.decision);
        }
        seen = entries.length;
        handle = executor.resume(input.runId, { definition, workdir });
        if (heldPause) void handle.pause(heldPause);
      }
    },
    /** The run's checkpoint once it ended (null before, or when it never started). */
    checkpoint: restate.handlers.workflow.shared(
      async (ctx: restate.WorkflowSharedContext): Promise<Checkpoint | null> =>
        (await ctx.get<Checkpoint>(CHECKPOINT)) ?? null,
    ),
  },
});

export type PhaseboardRun = typeof phaseboardRun;
