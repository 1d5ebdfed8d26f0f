import { describe, expect, it } from "vitest";
import { parseChecks, parseState } from "./readPullRequestView.js";

describe("reading a pull request back from gh and glab", () => {
  it("maps gh's and glab's states onto open, merged and closed", () => {
    expect(parseState({ state: "OPEN" })).toBe("open");
    expect(parseState({ state: "MERGED" })).toBe("merged");
    expect(parseState({ state: "CLOSED" })).toBe("closed");
    expect(parseState({ state: "opened" })).toBe("open");
    expect(parseState({ state: "merged" })).toBe("merged");
    expect(parseState({ state: "locked" })).toBe("closed");
  });

  it("says none when there are no checks, passing when all passed", () => {
    expect(parseChecks({ statusCheckRollup: [] })).toBe("none");
    expect(
      parseChecks({
        statusCheckRollup: [
          { status: "COMPLETED", conclusion: "SUCCESS" },
          { state: "SUCCESS" },
          { status: "COMPLETED", conclusion: "SKIPPED" },
        ],
      }),
    ).toBe("passing");
  });

  it("lets one failure win over checks still running", () => {
    expect(
      parseChecks({
        statusCheckRollup: [
          { status: "IN_PROGRESS", conclusion: "" },
          { status: "COMPLETED", conclusion: "FAILURE" },
        ],
      }),
    ).toBe("failing");
    expect(
      parseChecks({
        statusCheckRollup: [{ status: "QUEUED" }, { status: "COMPLETED", conclusion: "SUCCESS" }],
      }),
    ).toBe("pending");
    expect(parseChecks({ statusCheckRollup: [{ state: "PENDING" }] })).toBe("pending");
  });

  it("reads glab's pipeline status", () => {
    expect(parseChecks({ pipeline: { status: "success" } })).toBe("passing");
    expect(parseChecks({ pipeline: { status: "failed" } })).toBe("failing");
    expect(parseChecks({ pipeline: { status: "running" } })).toBe("pending");
    expect(parseChecks({ pipeline: null })).toBe("none");
  });
});
