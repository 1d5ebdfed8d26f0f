import "./polyfillPromiseWithResolvers.js";
import { randomUUID } from "node:crypto";
import {
  type RunJournal,
  type StepJobOutcome,
  serializeError,
  settleStepJob,
} from "@phaseboard/workflow-engine";
import * as clients from "@restatedev/restate-sdk-clients";
import { type PhaseboardStepJob, phaseboardStepJob } from "./phaseboardStepJob.js";

/**
 * The server's journal for steps outside a run's template (`runExtraStep`): each script or
 * agent attempt becomes a `PhaseboardStepJob` invocation for the run's worker, attached to
 * until the worker completes it. Aborting the attempt cancels the invocation, which stops
 * the step on the worker. Such a step is not part of the run's journal (the template never
 * replays it), as on the local backend, where it is not in the checkpoint.
 */
export class WorkerStepJobs implements RunJournal {
  private ingress: clients.Ingress;

  constructor(private options: { ingress: string; admin: string; worker: string }) {
    this.ingress = clients.connect({ url: options.ingress });
  }

  async attempt<T>(input: Parameters<RunJournal["attempt"]>[0]) {
    const { job, signal } = input;
    // Function steps run where they are asked; only script and agent steps are jobs.
    if (!job) return settleStepJob<T>({ ok: true, result: await input.local() });
    // A fresh key per attempt: a workflow key runs once, and a step may be asked again.
    const key = `${job.runId}/${job.stepKey}#${job.attempt}/${randomUUID()}`;
    const client = this.ingress.workflowClient<PhaseboardStepJob>(phaseboardStepJob, key);
    const { invocationId } = await client.workflowSubmit({ workerId: this.options.worker, job });
    const cancel = () => {
      void fetch(
        new URL(`/invocations/${encodeURIComponent(invocationId)}/cancel`, this.options.admin),
        { method: "PATCH" },
      ).catch(() => {});
    };
    if (signal.aborted) cancel();
    signal.addEventListener("abort", cancel, { once: true });
    let outcome: StepJobOutcome;
    try {
      outcome = await client.workflowAttach();
    } catch (error) {
      outcome = { ok: false, error: serializeError(signal.aborted ? signal.reason : error) };
    } finally {
      signal.removeEventListener("abort", cancel);
    }
    return settleStepJob<T>(outcome);
  }

  sleep(): Promise<void> {
    return Promise.reject(new Error("a step outside a template has no durable timers"));
  }
}
