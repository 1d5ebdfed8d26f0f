import { join } from "node:path";
import { createDbClient, type DbClient, migrateDatabase } from "@phaseboard/db";
import type { ProgressEntry } from "@phaseboard/restate-backend";
import { tempDir } from "@phaseboard/test-kit";
import type { Checkpoint } from "@phaseboard/workflow-engine";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrismaRestateRunRecords } from "./PrismaRestateRunRecords.js";
import { StepLogLines } from "./StepLogLines.js";

const line = (seq: number, stepKey: string, text: string): ProgressEntry => ({
  seq,
  stepKey,
  event: { at: "2026-12-07T00:00:00.000Z", kind: "stdout", text },
});

describe("the restate backend's run records in the database", () => {
  let db: DbClient;
  let runId: string;

  beforeEach(async () => {
    const url = `file:${join(tempDir("records"), "pb.db")}`;
    await migrateDatabase({ url });
    db = createDbClient({ url });
    const project = await db.project.create({ data: { name: "p", path: tempDir("project") } });
    const definition = await db.workflowDefinition.create({
      data: {
        project_id: project.id,
        identifier: "t",
        name: "T",
        type: "yaml",
        path: "t.yaml",
        phases: [],
      },
    });
    runId = (
      await db.workflowRun.create({
        data: {
          project_id: project.id,
          workflow_definition_id: definition.id,
          name: "run",
          args: {},
          position: "a0",
        },
      })
    ).id;
  });
  afterEach(async () => {
    await db.$disconnect();
  });

  it("keeps each step's lines in order, and a line relayed again once", async () => {
    const records = new PrismaRestateRunRecords(db);
    expect(await records.progressKept(runId)).toBe(0);
    await records.keepProgress(runId, [line(1, "a", "a1"), line(2, "b", "b1"), line(3, "a", "a2")]);
    // Another server relaying the same window from an older position.
    await new PrismaRestateRunRecords(db).keepProgress(runId, [
      line(2, "b", "b1"),
      line(3, "a", "a2"),
      line(4, "a", "a3"),
    ]);
    expect(await records.progressKept(runId)).toBe(4);
    // This server's numbering of `a` is behind the other's: it numbers again, loses nothing.
    await records.keepProgress(runId, [line(5, "a", "a4")]);
    const lines = new StepLogLines(db);
    const a = await lines.read(runId, "a");
    expect(a.lines.map((text) => JSON.parse(text).text)).toEqual(["a1", "a2", "a3", "a4"]);
    expect(a.content.split("\n")).toHaveLength(5);
    expect(a.more).toBe(false);
    expect((await lines.read(runId, "b")).lines).toHaveLength(1);
    expect(await lines.has(runId, "a")).toBe(true);
    expect(await lines.has(runId, "c")).toBe(false);
  });

  it("reads a tail after a line, bounded by bytes, and says more follow", async () => {
    const records = new PrismaRestateRunRecords(db);
    await records.keepProgress(
      runId,
      Array.from({ length: 10 }, (_, i) => line(i + 1, "s", `line-${i}`)),
    );
    const lines = new StepLogLines(db);
    const tail = await lines.read(runId, "s", { after: 7 });
    expect(tail.lines.map((text) => JSON.parse(text).text)).toEqual(["line-7", "line-8", "line-9"]);
    const oneLine = Buffer.byteLength(tail.lines[0] ?? "") + 1;
    const page = await lines.read(runId, "s", { after: 2, limit: oneLine * 2 });
    expect(page.lines.map((text) => JSON.parse(text).text)).toEqual(["line-2", "line-3"]);
    expect(page.more).toBe(true);
  });

  it("keeps at most its cap of lines per step, then one line saying the rest were not kept", async () => {
    const records = new PrismaRestateRunRecords(db, { linesKept: 3 });
    await records.keepProgress(
      runId,
      Array.from({ length: 5 }, (_, i) => line(i + 1, "chatty", `${i}`)),
    );
    await records.keepProgress(runId, [line(6, "chatty", "5"), line(7, "quiet", "q")]);
    const chatty = await new StepLogLines(db).read(runId, "chatty");
    expect(chatty.lines.map((text) => JSON.parse(text))).toEqual([
      expect.objectContaining({ text: "0" }),
      expect.objectContaining({ text: "1" }),
      expect.objectContaining({ text: "2" }),
      expect.objectContaining({
        kind: "system",
        text: expect.stringMatching(/not kept \(3 lines/),
      }),
    ]);
    expect((await new StepLogLines(db).read(runId, "quiet")).lines).toHaveLength(1);
    // A server that starts over counts what is kept and keeps no more.
    await new PrismaRestateRunRecords(db, { linesKept: 3 }).keepProgress(runId, [
      line(8, "chatty", "7"),
    ]);
    expect(await db.stepLogLine.count({ where: { step_id: "chatty" } })).toBe(4);
  });

  it("keeps the generation and the checkpoint a rewind starts from, and drops all with the run", async () => {
    const records = new PrismaRestateRunRecords(db);
    expect(await records.generation(runId)).toBe(1);
    expect(await records.checkpoint(runId)).toBeUndefined();
    const ended = { run_id: runId, completed_step_ids: ["a", "b"] } as unknown as Checkpoint;
    await records.keepCheckpoint(runId, ended);
    expect(await records.checkpoint(runId)).toEqual(ended);
    const cut = { run_id: runId, completed_step_ids: ["a"] } as unknown as Checkpoint;
    await records.startGeneration(runId, 2, cut);
    expect(await records.generation(runId)).toBe(2);
    expect(await records.checkpoint(runId)).toEqual(cut);
    await records.keepProgress(runId, [line(1, "a", "x")]);
    // The run as pinned is kept once: a pin never changes.
    expect(await records.pinned(runId)).toBeUndefined();
    const pinned = { snapshot: { name: "T", phases: ["a"] }, args: { n: 1 }, bundle: "code" };
    await records.pin(runId, pinned as never);
    await records.pin(runId, { ...pinned, args: { n: 2 } } as never);
    expect(await records.pinned(runId)).toEqual(pinned);
    expect(await records.checkpoint(runId)).toEqual(cut);

    await db.workflowRun.delete({ where: { id: runId } });
    expect(await db.stepLogLine.count()).toBe(0);
    expect(await db.restateRun.count()).toBe(0);
  });
});
