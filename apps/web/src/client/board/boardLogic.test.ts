import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { buildBoardColumns, columnIdOf, DONE, QUEUED } from "./boardColumns";
import { dropRule } from "./dropRule";
import { positionBetween } from "./positionBetween";

const phases = ["research", "implement", "test"];

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: "r1",
    project_id: "p1",
    workflow_definition_id: "d1",
    name: "Run",
    status: "running",
    current_phase: "implement",
    position: "a0",
    created_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("the board's columns", () => {
  it("puts a pending run in Queued, a running one in its phase and a completed one in Done", () => {
    expect(columnIdOf(run({ status: "pending", current_phase: null }), phases)).toBe(QUEUED);
    expect(columnIdOf(run({ status: "running" }), phases)).toBe("phase:implement");
    expect(columnIdOf(run({ status: "completed", current_phase: "test" }), phases)).toBe(DONE);
  });

  it("keeps a failed or cancelled run in the phase where it stopped", () => {
    expect(columnIdOf(run({ status: "failed" }), phases)).toBe("phase:implement");
    expect(columnIdOf(run({ status: "cancelled", current_phase: "test" }), phases)).toBe(
      "phase:test",
    );
  });

  it("queues a run whose phase the template no longer has rather than losing its card", () => {
    expect(columnIdOf(run({ current_phase: "renamed" }), phases)).toBe(QUEUED);
  });

  it("orders cards by position key with plain code-unit comparison", () => {
    const columns = buildBoardColumns(
      [
        run({ id: "c", position: "a1" }),
        run({ id: "a", position: "Zz" }),
        run({ id: "b", position: "a0V" }),
      ],
      phases,
    );
    expect(columns.map((c) => c.title)).toEqual(["Queued", ...phases, "Done"]);
    expect(columns[2]?.runs.map((r) => r.id)).toEqual(["a", "b", "c"]);
  });
});

describe("positionBetween", () => {
  it("sorts a new key strictly between its neighbours", () => {
    const key = positionBetween("a0", "a1");
    expect(key > "a0" && key < "a1").toBe(true);
  });

  it("makes keys before the first card and after the last", () => {
    expect(positionBetween(undefined, "a0") < "a0").toBe(true);
    expect(positionBetween("a5", undefined) > "a5").toBe(true);
    expect(positionBetween(undefined, undefined)).toBe("a0");
  });

  it("keeps splitting the same gap without ever producing equal keys", () => {
    let upper = "a1";
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      upper = positionBetween("a0", upper);
      expect(seen.has(upper)).toBe(false);
      seen.add(upper);
      expect(upper > "a0").toBe(true);
    }
  });

  it("still places a card after a neighbour whose key is not a fractional index", () => {
    const key = positionBetween("a0", "not a key!");
    expect(key > "a0").toBe(true);
  });
});

describe("dropRule", () => {
  it("reorders within a column", () => {
    expect(dropRule(run(), "phase:implement", "phase:implement", phases)).toEqual({
      kind: "reorder",
    });
  });

  it("rewinds a run dropped on an earlier phase, including from Done", () => {
    expect(dropRule(run(), "phase:implement", "phase:research", phases)).toEqual({
      kind: "rewind",
      phase: "research",
    });
    expect(dropRule(run({ status: "completed" }), DONE, "phase:test", phases)).toEqual({
      kind: "rewind",
      phase: "test",
    });
  });

  it("refuses a later phase, Done, Queued, and any move of a run that has not started", () => {
    const later = dropRule(run(), "phase:implement", "phase:test", phases);
    expect(later).toMatchObject({ kind: "refuse" });
    expect(later.kind === "refuse" && later.reason).toMatch(/earlier phase/);
    expect(dropRule(run(), "phase:implement", DONE, phases)).toMatchObject({ kind: "refuse" });
    expect(dropRule(run(), "phase:implement", QUEUED, phases)).toMatchObject({ kind: "refuse" });
    expect(dropRule(run({ status: "pending" }), QUEUED, "phase:research", phases)).toMatchObject({
      kind: "refuse",
      reason: expect.stringMatching(/not started/),
    });
  });
});
