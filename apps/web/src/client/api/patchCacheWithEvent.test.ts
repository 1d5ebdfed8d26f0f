import type { WorkflowEvent } from "@phaseboard/contracts";
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
    _count: { comments: 0, artifacts: 0, steps: 0 },
    ...overrides,
  };
}

const started = (stepId: string, name: string, phase: string): WorkflowEvent => ({
  type: "workflow.step.started",
  data: {
    ...base,
    step_id: stepId,
    step_key: stepId,
    step_name: name,
    phase,
    type: "script",
    attempt: 1,
  },
});

describe("patchCacheWithEvent", () => {
  let client: QueryClient;
  beforeEach(() => {
    client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    client.setQueryData(queryKeys.runs("p1"), [run(), run({ id: "r2", name: "Other" })]);
    client.setQueryData(queryKeys.run("r1"), run({ steps: [] }));
  });

  const board = () => client.getQueryData<Run[]>(queryKeys.runs("p1")) ?? [];
  const detail = () => client.getQueryData<Run>(queryKeys.run("r1"));

  it("moves the card when the run changes phase, in the board and the run page alike", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.phase_changed",
      data: { ...base, current_phase: "implement", current_step_index: 2 },
    });
    expect(board()[0]).toMatchObject({ current_phase: "implement", current_step_index: 2 });
    expect(detail()?.current_phase).toBe("implement");
    expect(board()[1]?.current_phase).toBeNull();
  });

  it("draws a card's new links and has both ends' run pages read them again", () => {
    client.setQueryData(queryKeys.run("r2"), run({ id: "r2" }));
    patchCacheWithEvent(client, {
      type: "workflow.execution.prerequisites_changed",
      data: { ...base, after_ids: ["r2"] },
    });
    expect(board()[0]?.after_ids).toEqual(["r2"]);
    expect(board()[1]?.after_ids).toBeUndefined();
    expect(client.getQueryState(queryKeys.run("r1"))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.run("r2"))?.isInvalidated).toBe(true);
  });

  it("shows an agent step waiting for the approval it asked for, and running again once decided", () => {
    client.setQueryData(
      queryKeys.run("r1"),
      run({
        status: "running",
        steps: [{ id: "s1", step_id: "work", name: "Work", phase: "build", status: "running" }],
      }),
    );
    const approval = (status: "requested" | "approved") =>
      patchCacheWithEvent(client, {
        type: "workflow.step.approval",
        data: {
          ...base,
          step_id: "s1",
          step_key: "work",
          approval_id: "a1",
          status,
          message: "Deploy?",
        },
      });
    approval("requested");
    expect(detail()?.steps?.[0]).toMatchObject({
      status: "waiting",
      approval_request: { id: "a1", message: "Deploy?" },
    });
    approval("approved");
    expect(detail()?.steps?.[0]).toMatchObject({ status: "running", approval_request: null });
  });

  it("reads the board again when a card has not seen the step that asks for an approval", () => {
    // The step's start came before the board's list did: the list carries it and the request.
    patchCacheWithEvent(client, {
      type: "workflow.step.approval",
      data: {
        ...base,
        step_id: "s9",
        step_key: "deploy",
        approval_id: "a2",
        status: "requested",
        message: "Ship?",
      },
    });
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(true);
  });

  it("reads the board again when a step starts on a run it does not hold", () => {
    patchCacheWithEvent(client, {
      ...started("s1", "Work", "build"),
      data: { ...(started("s1", "Work", "build").data as object), execution_id: "r9" },
    } as WorkflowEvent);
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(true);
  });

  it("sets the status, and the time a run was paused", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.status_changed",
      data: { ...base, status: "paused" },
    });
    expect(board()[0]?.status).toBe("paused");
    expect(board()[0]?.paused_at).toEqual(expect.any(String));
    patchCacheWithEvent(client, {
      type: "workflow.execution.status_changed",
      data: { ...base, status: "failed", error_message: "exit code 1" },
    });
    expect(detail()).toMatchObject({ status: "failed", error_message: "exit code 1" });
  });

  it("puts the worker a run was handed to on its card and run page as it is handed over", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.status_changed",
      data: { ...base, status: "running", step_worker: "box-1" },
    });
    expect(board()[0]?.step_worker).toBe("box-1");
    expect(detail()?.step_worker).toBe("box-1");
    patchCacheWithEvent(client, {
      type: "workflow.execution.status_changed",
      data: { ...base, status: "completed" },
    });
    expect(board()[0]?.step_worker).toBe("box-1");
  });

  it("adds a started step to the card and the run page, counts it, then marks it completed", () => {
    patchCacheWithEvent(client, started("s1", "Research", "research"));
    expect(detail()?.steps).toMatchObject([{ id: "s1", name: "Research", status: "running" }]);
    expect(board()[0]?.steps?.[0]?.name).toBe("Research");
    expect(board()[0]?._count?.steps).toBe(1);
    patchCacheWithEvent(client, started("s1", "Research", "research"));
    expect(board()[0]?._count?.steps).toBe(1);
    patchCacheWithEvent(client, {
      type: "workflow.step.completed",
      data: { ...base, step_id: "s1", step_key: "s1", status: "completed", duration_ms: 20 },
    });
    expect(detail()?.steps?.[0]?.status).toBe("completed");
    expect(board()[0]?.steps?.[0]?.status).toBe("completed");
  });

  it("adds what an agent step spent to its card's cost and tokens, and leaves other cards alone", () => {
    client.setQueryData(queryKeys.runs("p1"), [
      run({ cost_usd: 0.5, tokens: 1000 }),
      run({ id: "r2", name: "Other" }),
    ]);
    const completed = (stepId: string, spent: { cost_usd?: number; tokens?: number }) =>
      patchCacheWithEvent(client, {
        type: "workflow.step.completed",
        data: { ...base, step_id: stepId, step_key: stepId, status: "completed", ...spent },
      });
    completed("s1", { cost_usd: 0.25, tokens: 300 });
    completed("s2", {});
    expect(board()[0]).toMatchObject({ cost_usd: 0.75, tokens: 1300 });
    expect(board()[1]?.cost_usd).toBeUndefined();
    expect(detail()?.cost_usd).toBe(0.25);
  });

  it("refetches a run's detail when an agent step ends, for the session the event does not carry", () => {
    client.setQueryData(queryKeys.run("r1"), run());
    const completed = (stepId: string, spent: { cost_usd?: number; tokens?: number }) =>
      patchCacheWithEvent(client, {
        type: "workflow.step.completed",
        data: { ...base, step_id: stepId, step_key: stepId, status: "completed", ...spent },
      });
    completed("script", {});
    expect(client.getQueryState(queryKeys.run("r1"))?.isInvalidated).toBe(false);
    completed("agent", { tokens: 120 });
    expect(client.getQueryState(queryKeys.run("r1"))?.isInvalidated).toBe(true);
  });

  it("appends progress lines to a loaded step log and leaves an unloaded one to be read from disk", () => {
    client.setQueryData<StepLog>(queryKeys.stepLog("s1", "events"), {
      type: "events",
      step_id: "s1",
      content: "",
    });
    const line = JSON.stringify({
      at: "2026-01-01T00:00:00.000Z",
      kind: "stdout",
      text: "building…",
    });
    patchCacheWithEvent(client, {
      type: "workflow.step.progress",
      data: { ...base, step_id: "s1", step_key: "build", output: line },
    });
    patchCacheWithEvent(client, {
      type: "workflow.step.progress",
      data: { ...base, step_id: "s1", step_key: "build", output: "plain text", kind: "stderr" },
    });
    patchCacheWithEvent(client, {
      type: "workflow.step.progress",
      data: { ...base, step_id: "s2", step_key: "test", output: line },
    });
    const log = client.getQueryData<StepLog>(queryKeys.stepLog("s1", "events"));
    expect(
      log?.content
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { at: "2026-01-01T00:00:00.000Z", kind: "stdout", text: "building…" },
      { kind: "stderr", text: "plain text" },
    ]);
    expect(client.getQueryData(queryKeys.stepLog("s2", "events"))).toBeUndefined();
  });

  it("counts every new comment once, and refetches the thread only when it lacks the comment", () => {
    const mine: Comment = {
      id: "c1",
      workflow_run_id: "r1",
      text: "Looks good",
      comment_type: "user",
      created_at: "2026-01-01T00:06:00.000Z",
    };
    client.setQueryData<Comment[]>(queryKeys.comments("r1"), [mine]);
    const event = (commentId: string): WorkflowEvent => ({
      type: "workflow.comment.created",
      data: { ...base, comment_id: commentId, step_id: null, comment_type: "user" },
    });
    patchCacheWithEvent(client, event("c1"));
    expect(board()[0]?._count?.comments).toBe(1);
    expect(client.getQueryState(queryKeys.comments("r1"))?.isInvalidated).toBe(false);
    patchCacheWithEvent(client, event("c2"));
    expect(board()[0]?._count?.comments).toBe(2);
    expect(client.getQueryState(queryKeys.comments("r1"))?.isInvalidated).toBe(true);
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

  it("draws a run created elsewhere (the CLI, a trigger) at once, without duplicating it", () => {
    const created: WorkflowEvent = {
      type: "workflow.execution.created",
      data: {
        ...base,
        execution_id: "r3",
        workflow_definition_id: "d1",
        name: "From the CLI",
        status: "pending",
        current_phase: null,
        position: "a5",
        parent_run_id: null,
      },
    };
    patchCacheWithEvent(client, created);
    patchCacheWithEvent(client, created);
    expect(board().map((r) => r.id)).toEqual(["r1", "r2", "r3"]);
    expect(board()[2]).toMatchObject({ name: "From the CLI", position: "a5", status: "pending" });
  });

  it("reorders a card moved by someone else and drops an archived one", () => {
    patchCacheWithEvent(client, {
      type: "workflow.execution.updated",
      data: { ...base, name: "Renamed", position: "Zz", archived: false },
    });
    expect(board()[0]).toMatchObject({ name: "Renamed", position: "Zz" });
    patchCacheWithEvent(client, {
      type: "workflow.execution.updated",
      data: { ...base, name: "Renamed", position: "Zz", archived: true },
    });
    expect(board().map((r) => r.id)).toEqual(["r2"]);
  });

  it("refetches the project's templates when the server re-read them", () => {
    client.setQueryData(queryKeys.definitions("p1"), []);
    patchCacheWithEvent(client, {
      type: "workflow.definitions.changed",
      data: { project_id: "p1" } as { project_id: string; execution_id: string },
    });
    expect(client.getQueryState(queryKeys.definitions("p1"))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(false);
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
