import type { StepJob, StepJobOutcome } from "@phaseboard/workflow-engine";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PhaseboardStepJob, phaseboardStepJob } from "../src/phaseboardStepJob.js";
import { RestateRuns } from "../src/RestateRuns.js";
import { type StepJobShard, stepJobShard } from "../src/StepJobShard.js";
import { type StepJobWaits, stepJobWaits } from "../src/StepJobWaits.js";
import { shardOf } from "../src/stepJobShards.js";
import {
  type NodeWithEndpoint,
  type RestateNode,
  restateServerBinary,
  startNodeWithEndpoint,
} from "./restateNode.js";

const binary = restateServerBinary();

const job = (runId: string): StepJob => ({
  runId,
  stepKey: "build",
  attempt: 1,
  type: "script",
  config: { type: "script", command: "true" } as StepJob["config"],
  workdir: "/tmp",
});

const done = (text: string): StepJobOutcome => ({ ok: true, result: { data: { text } } });

/** Run ids of `count` runs whose jobs share one shard of `workerId`'s queue. */
function runsOnOneShard(workerId: string, count: number): string[] {
  const byShard = new Map<string, string[]>();
  for (let i = 0; ; i++) {
    const runId = `run-${i}`;
    const key = shardOf(workerId, runId);
    const runs = [...(byShard.get(key) ?? []), runId];
    if (runs.length === count) return runs;
    byShard.set(key, runs);
  }
}

describe.skipIf("missing" in binary)("a worker's sharded job queue on one node", () => {
  let node: RestateNode;
  let running: NodeWithEndpoint | undefined;
  let ingress: clients.Ingress;

  beforeAll(async () => {
    if ("missing" in binary) return;
    running = await startNodeWithEndpoint(binary.path, "shards");
    node = running.node;
    ingress = clients.connect({ url: node.ingress });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it("puts a run's jobs on its shard, takes several in one call, and hands the next job back with a completion", async () => {
    const workerId = "w-shards";
    const runIds = runsOnOneShard(workerId, 3);
    const attempt = (runId: string) =>
      ingress
        .workflowClient<PhaseboardStepJob>(phaseboardStepJob, `${runId}/build#1`)
        .workflowSubmit({ workerId, job: job(runId) });
    for (const runId of runIds) await attempt(runId);
    const runs = new RestateRuns(node.ingress);
    for (let i = 0; i < 200 && (await runs.jobs(workerId)).length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await runs.jobs(workerId)).map((queued) => queued.job.runId).sort()).toEqual(
      [...runIds].sort(),
    );

    // A long-poll names the shard with work, so the worker asks that one first.
    expect(
      await ingress.serviceClient<StepJobWaits>(stepJobWaits).wait({ workerId, timeoutMs: 5000 }),
    ).toEqual({ ready: true, shard: shardOf(workerId, runIds[0] ?? "") });
    const shard = ingress.objectClient<StepJobShard>(
      stepJobShard,
      shardOf(workerId, runIds[0] ?? ""),
    );
    const taken = await shard.take({ max: 2 });
    expect(taken).toHaveLength(2);
    const [first, second] = taken as [{ id: string; job: StepJob }, { id: string; job: StepJob }];

    // Complete-and-next: the completion answers with the shard's last untaken job.
    const answer = await shard.complete({ id: first.id, outcome: done("one"), take: 5 });
    expect(answer.accepted).toBe(true);
    expect(answer.next).toHaveLength(1);
    const third = answer.next?.[0];
    expect(new Set([first.job.runId, second.job.runId, third?.job.runId])).toEqual(new Set(runIds));
    expect(await shard.complete({ id: first.id, outcome: done("again"), take: 5 })).toEqual({
      accepted: false,
      next: [],
    });
    await shard.complete({ id: second.id, outcome: done("two") });
    await shard.complete({ id: third?.id ?? "", outcome: done("three") });

    const outcome = (runId: string) =>
      ingress
        .workflowClient<PhaseboardStepJob>(phaseboardStepJob, `${runId}/build#1`)
        .workflowAttach();
    expect(await outcome(first.job.runId)).toEqual(done("one"));
    expect(await outcome(second.job.runId)).toEqual(done("two"));
    expect(await runs.jobs(workerId)).toEqual([]);
  });
});
