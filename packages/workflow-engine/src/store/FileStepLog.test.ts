import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { FileStepLog } from "./FileStepLog.js";

describe("FileStepLog", () => {
  it("appends a step's events, and drops them without throwing once its folder is gone", async () => {
    const dir = join(tempDir("step-log"), "logs", "build");
    const log = new FileStepLog(dir, "logs/build");
    await log.open({ command: "make" });
    log.append({ at: "2026-01-01T00:00:00.000Z", kind: "stdout", text: "one" });
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toContain('"one"');

    // The run's folder removed while its step still prints (its process outlives it).
    log.abandon();
    rmSync(dir, { recursive: true, force: true });
    expect(() =>
      log.append({ at: "2026-01-01T00:00:01.000Z", kind: "stdout", text: "two" }),
    ).not.toThrow();
    expect(() =>
      log.append({ at: "2026-01-01T00:00:02.000Z", kind: "stdout", text: "three" }),
    ).not.toThrow();
  });
});
