import { describe, expect, it } from "vitest";
import {
  clientMessageSchema,
  serverMessageSchema,
  workflowEventSchema,
  workflowEventTypes,
} from "./events.js";

describe("workflow events", () => {
  it("names seed 004's event types and the board's additions", () => {
    expect(workflowEventTypes).toEqual(
      expect.arrayContaining([
        "workflow.execution.status_changed",
        "workflow.execution.phase_changed",
        "workflow.execution.created",
        "workflow.execution.state_changed",
        "workflow.step.started",
        "workflow.step.completed",
        "workflow.step.progress",
        "workflow.comment.created",
        "workflow.artifact.created",
        "workflow.artifact.attached",
      ]),
    );
  });

  it("accepts seed 004's status_changed example and requires project_id on every event", () => {
    const example = {
      type: "workflow.execution.status_changed",
      data: { execution_id: "ck1", status: "paused", project_id: "p1" },
    };
    expect(workflowEventSchema.parse(example)).toEqual(example);
    for (const type of workflowEventTypes) {
      const result = workflowEventSchema.safeParse({ type, data: { execution_id: "ck1" } });
      expect(result.success, type).toBe(false);
      expect(JSON.stringify(result.error?.issues), type).toContain("project_id");
    }
  });

  it("rejects an unknown event type", () => {
    expect(
      serverMessageSchema.safeParse({ type: "workflow.nope", data: { project_id: "p" } }).success,
    ).toBe(false);
  });
});

describe("client messages", () => {
  it("accepts subscribe and ping, and rejects anything else", () => {
    expect(clientMessageSchema.parse({ type: "subscribe", project_id: "p1" })).toEqual({
      type: "subscribe",
      project_id: "p1",
    });
    expect(clientMessageSchema.parse({ type: "ping", id: "7" }).type).toBe("ping");
    expect(clientMessageSchema.safeParse({ type: "subscribe" }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ type: "shutdown" }).success).toBe(false);
  });
});
