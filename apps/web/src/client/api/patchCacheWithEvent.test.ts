import { QueryClient } from "@tanstack/react-query";
import { beforeEach, describe, expect, it } from "vitest";
import { patchCacheWithEvent } from "./patchCacheWithEvent";
import { queryKeys } from "./queryKeys";
import type { Comment, Run, StepLog } from "./types";

const base = { project_id: "p1", execution_id: "r1" };

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: "r1",
    project_id: "p1",
    workflow_definition_id: "d1",
    name: "Add login",
    status: "pending",
    current_phase: null,
    position: "a0",
    created_at: "2026-01-01T00:00:00.000Z",
    steps: [],
    _count: { comments: 0, artifacts: 0 },
    ...overrides,
  };
}

describe("patchCacheWithEvent", () => {
  let client: QueryClient;
  beforeEach(() => {
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    client.setQueryData(queryKeys.runs("p1"), [run(), run({ id: "r2", name: "Other" })]);
    client.setQueryData(queryKeys.run("r1"), run());
  });

  const board = () => client.getQueryData<Run[]>(queryKeys.runs("p1")) ?? [];
  const detail = () => client.getQueryData<Run>(queryKeys.run("r1"));

  it("moves the card when the run changes phase, in the board and the run page alike", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.phase_changed",
      data: { ...base, current_phase: "implement" },
    });
    expect(board()[0]?.current_phase).toBe("implement");
    expect(detail()?.current_phase).toBe("implement");
    expect(board()[1]?.current_phase).toBeNull();
  });

  it("sets the status and the time it was paused", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.status_changed",
      data: { ...base, status: "paused", at: "2026-01-01T00:05:00.000Z" },
    });
    expect(board()[0]).toMatchObject({ status: "paused", paused_at: "2026-01-01T00:05:00.000Z" });
  });

  it("adds a started step, then marks it completed", () => {
    patchCacheWithEvent(client, {
      type: "workflow.step.started",
      data: { ...base, step_id: "s1", step_name: "Research", phase: "research" },
    });
    expect(detail()?.steps).toMatchObject([{ id: "s1", name: "Research", status: "running" }]);
    patchCacheWithEvent(client, {
      type: "workflow.step.completed",
      data: { ...base, step_id: "s1", status: "completed" },
    });
    expect(detail()?.steps?.[0]?.status).toBe("completed");
    expect(board()[0]?.steps?.[0]?.status).toBe("completed");
  });

  it("appends progress to a loaded step log and leaves an unloaded one to be read from disk", () => {
    client.setQueryData<StepLog>(queryKeys.stepLog("s1", "events"), {
      type: "events",
      step_id: "s1",
      content: "",
    });
    patchCacheWithEvent(client, {
      type: "workflow.step.progress",
      data: { ...base, step_id: "s1", event: { kind: "stdout", text: "building…" } },
    });
    patchCacheWithEvent(client, {
      type: "workflow.step.progress",
      data: { ...base, step_id: "s2", output: "ignored" },
    });
    const log = client.getQueryData<StepLog>(queryKeys.stepLog("s1", "events"));
    expect(log?.content).toBe('{"kind":"stdout","text":"building…"}\n');
    expect(client.getQueryData(queryKeys.stepLog("s2", "events"))).toBeUndefined();
  });

  it("adds a new comment once and counts it on the card", () => {
    const comment: Comment = {
      id: "c1",
      workflow_run_id: "r1",
      text: "Looks good",
      comment_type: "user",
      created_at: "2026-01-01T00:06:00.000Z",
    };
    client.setQueryData<Comment[]>(queryKeys.comments("r1"), []);
    const event = {
      type: "workflow.comment.created" as const,
      data: { ...base, comment_id: "c1", comment },
    };
    patchCacheWithEvent(client, event);
    patchCacheWithEvent(client, event);
    expect(client.getQueryData<Comment[]>(queryKeys.comments("r1"))).toEqual([comment]);
    expect(board()[0]?._count?.comments).toBe(1);
  });

  it("counts an uploaded artifact and refetches the gallery", () => {
    client.setQueryData(queryKeys.artifacts("r1"), []);
    patchCacheWithEvent(client, {
      type: "workflow.artifact.created",
      data: { ...base, artifact_id: "a1", step_id: "s1" },
    });
    expect(board()[0]?._count?.artifacts).toBe(1);
    expect(client.getQueryState(queryKeys.artifacts("r1"))?.isInvalidated).toBe(true);
  });

  it("adds a run created elsewhere (the CLI, a trigger) without duplicating one already shown", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.created",
      data: { ...base, execution_id: "r3", run: run({ id: "r3", name: "From the CLI" }) },
    });
    patchCacheWithEvent(client, {
      type: "workflow.execution.created",
      data: { ...base, execution_id: "r3", run: run({ id: "r3", name: "From the CLI" }) },
    });
    expect(board().map((r) => r.id)).toEqual(["r1", "r2", "r3"]);
  });

  it("refetches the board for an event about a run it does not hold, or of an unknown type", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.phase_changed",
      data: { ...base, execution_id: "elsewhere", current_phase: "test" },
    });
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(true);
    client.setQueryData(queryKeys.runs("p1"), [run()]);
    patchCacheWithEvent(client, { type: "workflow.execution.something_new", data: base });
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(true);
  });
});
