import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { canWaitForOthers, linkRoles, runLinks } from "./runLinks";

function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    project_id: "p1",
    workflow_definition_id: "d1",
    name: id.toUpperCase(),
    status: "pending",
    current_phase: null,
    position: "a0",
    created_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("runLinks", () => {
  const runs = [
    run("a1", { status: "running" }),
    run("a2", { status: "completed" }),
    run("b", { status: "blocked", after_ids: ["a1", "a2", "gone"] }),
    run("c", { status: "blocked", after_ids: ["b"] }),
  ];

  it("lists each run's prerequisites and dependents both ways, skipping runs the board does not hold", () => {
    const links = runLinks(runs);
    expect(links.get("b")?.prerequisites.map((r) => r.id)).toEqual(["a1", "a2"]);
    expect(links.get("b")?.dependents.map((r) => r.id)).toEqual(["c"]);
    expect(links.get("a1")?.dependents.map((r) => r.id)).toEqual(["b"]);
    expect(links.get("a1")?.prerequisites).toEqual([]);
    expect(links.has("gone")).toBe(false);
  });

  it("marks the focused card, what it waits for and what waits for it, and nothing else", () => {
    const roles = linkRoles("b", runLinks(runs));
    expect(Object.fromEntries(roles)).toEqual({
      a1: "prerequisite",
      a2: "prerequisite",
      b: "focus",
      c: "dependent",
    });
    expect(linkRoles(null, runLinks(runs)).size).toBe(0);
    expect(linkRoles("unlinked", runLinks(runs)).size).toBe(0);
  });

  it("lets only a run that has not started wait for others", () => {
    expect(canWaitForOthers(run("x", { status: "blocked" }))).toBe(true);
    expect(canWaitForOthers(run("x", { status: "pending" }))).toBe(true);
    expect(
      canWaitForOthers(run("x", { status: "pending", started_at: "2026-01-01T00:00:00Z" })),
    ).toBe(false);
    expect(canWaitForOthers(run("x", { status: "running" }))).toBe(false);
    expect(canWaitForOthers(run("x", { status: "completed" }))).toBe(false);
  });
});
