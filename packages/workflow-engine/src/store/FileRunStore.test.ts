import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { runStoreConformance } from "../testing/runStoreConformance.js";
import { FileRunStore } from "./FileRunStore.js";

runStoreConformance("FileRunStore", {
  create: () => new FileRunStore(tempDir("store")),
  corruptCheckpoints: (store, runId, bytes) => {
    const dir = (store as FileRunStore).paths(runId).checkpoints;
    for (const file of readdirSync(dir)) writeFileSync(join(dir, file), bytes);
  },
});

describe("FileRunStore", () => {
  it("keeps seed 004's files: step logs, signals and approvals where the board reads them", async () => {
    const projectPath = tempDir("store");
    const store = new FileRunStore(projectPath);
    const root = join(projectPath, ".agent", "workflows", "executions", "r");
    store.pinRun("r", {
      snapshot: { name: "t", format: "yaml", phases: ["p"], argsSchema: {}, source: { yaml: "" } },
      args: { a: 1 },
    });
    expect(JSON.parse(readFileSync(join(root, "args.json"), "utf8"))).toEqual({ a: 1 });
    const log = store.stepLog("r", "lib/build#2");
    expect(log.ref).toBe(".agent/workflows/executions/r/logs/lib%2Fbuild%232");
    await log.open({ stepKey: "lib/build#2" });
    await log.close({ stepId: "lib/build#2", status: "completed" }, "# s\n");
    expect(readdirSync(join(root, "logs", "lib%2Fbuild%232")).sort()).toEqual([
      "input.json",
      "output.json",
      "summary.md",
    ]);
    store.recordSignal("r", "go", 1);
    expect(readdirSync(join(root, "signals", "go"))).toHaveLength(1);
    store.writeApproval("r", "ship", { approved: true });
    expect(existsSync(join(root, "approvals", "ship.json"))).toBe(true);
  });
});
