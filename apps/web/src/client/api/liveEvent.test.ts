import { describe, expect, it } from "vitest";
import { parseLiveEvent } from "./liveEvent";

describe("parseLiveEvent", () => {
  it("reads a run's event and the project-wide templates event", () => {
    expect(
      parseLiveEvent(
        '{"type":"workflow.execution.phase_changed","data":{"project_id":"p1","execution_id":"r1","current_phase":"build"}}',
      ),
    ).toMatchObject({ type: "workflow.execution.phase_changed", data: { execution_id: "r1" } });
    expect(
      parseLiveEvent('{"type":"workflow.definitions.changed","data":{"project_id":"p1"}}'),
    ).toEqual({
      type: "workflow.definitions.changed",
      data: { project_id: "p1" },
    });
  });

  it("ignores the socket's own messages, malformed JSON and events without their ids", () => {
    expect(
      parseLiveEvent('{"type":"hello","data":{"version":"1","project_id":null}}'),
    ).toBeUndefined();
    expect(parseLiveEvent("{not json")).toBeUndefined();
    expect(
      parseLiveEvent('{"type":"workflow.step.started","data":{"project_id":"p1"}}'),
    ).toBeUndefined();
  });
});
