import "./polyfillPromiseWithResolvers.js";
import type { ApprovalDecision, Checkpoint, RunOutcome } from "@phaseboard/workflow-engine";
import * as clients from "@restatedev/restate-sdk-clients";
import { type PhaseboardRun, phaseboardRun, type RestateRunInput } from "./phaseboardRun.js";
import { type FeedRead, type RunEvent, type RunEvents, runEvents } from "./RunEvents.js";
import { type RunInbox, runInbox } from "./RunInbox.js";
import { type ParkingState, type RunParking, runParking } from "./RunParking.js";
import { type QueuedJob, type StepJobQueue, stepJobQueue } from "./StepJobQueue.js";

/** How many times `result` attaches before a dropped connection counts as an error. */
const ATTACH_ATTEMPTS = 40;

/** Connection errors from Node's fetch, and gateway answers while a node is down. */
function isTransient(error: unknown): boolean {
  if (error instanceof clients.HttpCallError) return [502, 503, 504].includes(error.status);
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { code?: unknown } };
  return (
    message === "terminated" ||
    message === "fetch failed" ||
    (typeof cause?.code === "string" &&
      /^(UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNRESET|ECONNREFUSED|EPIPE)$/.test(cause.code))
  );
}

/**
 * Starts runs on a Restate cluster and talks to them, through the ingress only.
 *
 * @example
 * const runs = new RestateRuns("http://127.0.0.1:18080");
 * await runs.submit({ runId, projectPath, workerId: "laptop", snapshot, args });
 * const outcome = await runs.result(runId);
 */
export class RestateRuns {
  private ingress: clients.Ingress;

  constructor(readonly ingressUrl: string) {
    this.ingress = clients.connect({ url: ingressUrl });
  }

  /**
   * Starts the run's invocation and answers its invocation id; submitting the same run id
   * again starts nothing new.
   */
  async submit(input: RestateRunInput, key: string = input.runId): Promise<string> {
    const submission = await this.ingress
      .workflowClient<PhaseboardRun>(phaseboardRun, key)
      .workflowSubmit(input);
    return submission.invocationId;
  }

  /**
   * Like {@link result}, for a run someone else starts (a parent's child, a successor):
   * until its invocation exists, Restate answers "not found", which is waited out here.
   */
  async resultOnceStarted(key: string, options: { waitMs?: number } = {}): Promise<RunOutcome> {
    const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.result(key);
      } catch (error) {
        const notYet = error instanceof clients.HttpCallError && error.status === 404;
        if (!notYet || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 1_000)));
      }
    }
  }

  /** The checkpoint an ended run's invocation kept (null while it runs). */
  async checkpoint(key: string): Promise<Checkpoint | null> {
    return await this.ingress.workflowClient<PhaseboardRun>(phaseboardRun, key).checkpoint();
  }

  /**
   * Answers a run's host call (see JournalRunHost). The run waits for nothing else, so a
   * dropped connection (a node failing over) is retried, like attaching.
   */
  async answer(awakeableId: string, answer: { value: unknown } | { error: string }) {
    for (let attempt = 1; ; attempt++) {
      try {
        if ("error" in answer) await this.ingress.rejectAwakeable(awakeableId, answer.error);
        else await this.ingress.resolveAwakeable(awakeableId, answer.value);
        return;
      } catch (error) {
        if (attempt >= ATTACH_ATTEMPTS || !isTransient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2_000)));
      }
    }
  }

  /**
   * Waits for the run to end and answers how. Attaching is idempotent, so a connection the
   * ingress drops (a node killed, a partition leader moving) is attached again, with
   * backoff, for up to about a minute: a failover must not read as the run failing.
   */
  async result(key: string, signal?: AbortSignal): Promise<RunOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ingress
          .workflowClient<PhaseboardRun>(phaseboardRun, key)
          .workflowAttach(signal ? clients.Opts.from({ signal }) : undefined);
      } catch (error) {
        if (signal?.aborted || attempt >= ATTACH_ATTEMPTS || !isTransient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2_000)));
      }
    }
  }

  /** Appends a signal to the run's inbox (queue semantics: each wait takes the next). */
  async signal(runId: string, name: string, payload?: unknown): Promise<void> {
    await this.ingress
      .objectClient<RunInbox>(runInbox, runId)
      .send({ kind: "signal", name, payload: payload ?? null });
  }

  /** The run's board events from position `from` on. */
  async events(runId: string, from: number): Promise<RunEvent[]> {
    return await this.ingress.objectClient<RunEvents>(runEvents, runId).since(from);
  }

  /** Board events from position `from` on and progress lines after `progressAfter`, in one read. */
  async feed(runId: string, from: number, progressAfter: number): Promise<FeedRead> {
    return await this.ingress
      .objectClient<RunEvents>(runEvents, runId)
      .read({ from, progressAfter });
  }

  /**
   * Pauses a run through its parking object (see `RunParking.pause`): the run's invocation
   * hears it at once, and the queue of the worker the run is pinned to stops its jobs.
   * `worker` is used only if the invocation has not said its own yet. Answers the worker.
   */
  async pause(runId: string, request: { now: boolean; worker: string }): Promise<string> {
    const { worker } = await this.ingress
      .objectClient<RunParking>(runParking, runId)
      .pause({ runId, ...request });
    return worker;
  }

  /**
   * Resumes a paused run: drops a pause that had not reached it yet, then releases its
   * parked invocation. Answers whether the invocation was parked.
   */
  async resume(runId: string): Promise<boolean> {
    const { resumed } = await this.ingress.objectClient<RunParking>(runParking, runId).resume();
    return resumed;
  }

  /** Where the run's pauses stand (parked on which, resumed up to which). */
  async parking(runId: string): Promise<ParkingState> {
    return await this.ingress.objectClient<RunParking>(runParking, runId).state();
  }

  /** The jobs queued for a worker (taken or not), as the queue holds them. */
  async jobs(workerId: string): Promise<QueuedJob[]> {
    return await this.ingress.objectClient<StepJobQueue>(stepJobQueue, workerId).list();
  }

  async approve(runId: string, key: string, decision: ApprovalDecision): Promise<void> {
    await this.ingress
      .objectClient<RunInbox>(runInbox, runId)
      .send({ kind: "approval", key, decision });
  }
}
