import "./polyfillPromiseWithResolvers.js";
import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
import * as restate from "@restatedev/restate-sdk";
import { stepJobShard } from "./StepJobShard.js";
import { shardOf } from "./stepJobShards.js";

/** One attempt of a step outside any run's template, for the worker a run is pinned to. */
export interface StepJobInput {
  workerId: string;
  job: StepJob;
}

/**
 * One attempt of a step a run's template does not have (a review follow-up): the server
 * has no awakeable of its own to give a worker, so this invocation holds it — the same job
 * on the same queue as a run's steps, completed by the worker where the run's worktree
 * is. Cancelling the invocation tells the worker to stop the step's process group.
 */
export const phaseboardStepJob = restate.workflow({
  name: "PhaseboardStepJob",
  handlers: {
    run: async (ctx: restate.WorkflowContext, input: StepJobInput): Promise<StepJobOutcome> => {
      const done = ctx.awakeable<StepJobOutcome>();
      const queue = ctx.objectSendClient(stepJobShard, shardOf(input.workerId, input.job.runId));
      queue.enqueue({ id: done.id, job: input.job });
      try {
        return await done.promise;
      } catch (error) {
        if (error instanceof restate.CancelledError) queue.abort({ id: done.id });
        throw error;
      }
    },
  },
});

export type PhaseboardStepJob = typeof phaseboardStepJob;
