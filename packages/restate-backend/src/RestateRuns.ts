import "./polyfillPromiseWithResolvers.js";
import type { ApprovalDecision, RunOutcome } from "@phaseboard/workflow-engine";
import * as clients from "@restatedev/restate-sdk-clients";
import { type PhaseboardRun, phaseboardRun, type RestateRunInput } from "./phaseboardRun.js";
import { type RunEvent, type RunEvents, runEvents } from "./RunEvents.js";
import { type RunInbox, runInbox } from "./RunInbox.js";
import { type QueuedJob, type StepJobQueue, stepJobQueue } from "./StepJobQueue.js";

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
  async submit(input: RestateRunInput): Promise<string> {
    const submission = await this.ingress
      .workflowClient<PhaseboardRun>(phaseboardRun, input.runId)
      .workflowSubmit(input);
    return submission.invocationId;
  }

  /** Waits for the run to end and answers how. */
  result(runId: string): Promise<RunOutcome> {
    return this.ingress.workflowClient<PhaseboardRun>(phaseboardRun, runId).workflowAttach();
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
