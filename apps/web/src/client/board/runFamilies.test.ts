import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { runFamilies } from "./runFamilies";

function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    project_id: "p1",
    workflow_definition_id: "parent-template",
    name: `Run ${id}`,
    status: "running",
    current_phase: null,
    position: "a0",
    created_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("run families on the board", () => {
  it("links each child run to its parent and counts a parent's children and the finished ones", () => {
    const families = runFamilies([
      run("parent", { name: "Best of N" }),
      run("a1", {
        parent_run_id: "parent",
        workflow_definition_id: "attempt",
        status: "completed",
      }),
      run("a2", { parent_run_id: "parent", workflow_definition_id: "attempt" }),
      run("a3", { parent_run_id: "parent", workflow_definition_id: "attempt", status: "failed" }),
      run("alone"),
    ]);
    expect(families.get("parent")).toEqual({
      children: { count: 3, done: 1, workflowDefinitionId: "attempt" },
    });
    expect(families.get("a2")).toEqual({
      parent: { id: "parent", name: "Best of N", workflowDefinitionId: "parent-template" },
      children: { count: 0, done: 0 },
    });
    expect(families.has("alone")).toBe(false);
  });

  it("leaves out a parent the list does not hold (archived or on another page)", () => {
    const families = runFamilies([run("child", { parent_run_id: "gone" })]);
    expect(families.size).toBe(0);
  });
});
