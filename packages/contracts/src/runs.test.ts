import { describe, expect, it } from "vitest";
import { createRunBodySchema, listRunsQuerySchema, updateRunBodySchema } from "./runs.js";

describe("run contracts", () => {
  it("reads the list filters from a query string, statuses comma-separated", () => {
    const query = listRunsQuerySchema.parse({
      project_id: "p1",
      status: "running,paused",
      phase: "implement",
      limit: "25",
    });
    expect(query).toEqual({
      project_id: "p1",
      status: ["running", "paused"],
      phase: "implement",
      limit: 25,
    });
    expect(listRunsQuerySchema.parse({}).limit).toBe(100);
  });

  it("names the field when a filter is out of range or unknown", () => {
    const limit = listRunsQuerySchema.safeParse({ limit: "100000" });
    expect(limit.error?.issues[0]?.path).toEqual(["limit"]);
    const status = listRunsQuerySchema.safeParse({ status: "sleeping" });
    expect(status.error?.issues[0]?.path).toEqual(["status", 0]);
  });

  it("defaults args to an empty object and rejects ids with path separators", () => {
    expect(
      createRunBodySchema.parse({ project_id: "p", workflow_definition_id: "d" }).args,
    ).toEqual({});
    const bad = createRunBodySchema.safeParse({ project_id: "../p", workflow_definition_id: "d" });
    expect(bad.error?.issues[0]?.path).toEqual(["project_id"]);
  });

  it("refuses an update that changes nothing", () => {
    expect(updateRunBodySchema.safeParse({}).success).toBe(false);
    expect(updateRunBodySchema.safeParse({ after_id: null, before_id: "r2" }).success).toBe(true);
  });
});
