import {
  appendFileSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CheckpointCorruptError } from "../errors/CheckpointCorruptError.js";
import { WorkflowExecutor } from "../execution/WorkflowExecutor.js";
import { FileRunStore } from "../store/FileRunStore.js";
import type { WorkflowContext } from "../types/context.js";
import type { DefinitionSnapshot, WorkflowDefinition } from "../types/definition.js";
import { type Checkpoint, emptyCheckpoint } from "./Checkpoint.js";
import { parseJournalRecord } from "./CheckpointDiff.js";
import { CheckpointJournal } from "./CheckpointJournal.js";
import { CheckpointStore } from "./CheckpointStore.js";

const snapshot: DefinitionSnapshot = {
  name: "test",
  format: "code",
  phases: ["build"],
  argsSchema: {},
  source: { bundle: "bundle.mjs" },
};

function workflow(execute: (ctx: WorkflowContext) => Promise<unknown>): WorkflowDefinition {
  return { name: "test", phases: snapshot.phases, argsSchema: {}, execute };
}

/** Steps s0…s{n-1}; `during(i)` runs inside step i's function. */
function steps(n: number, calls: string[], during?: (i: number) => void): WorkflowDefinition {
  return workflow(async (ctx) => {
    for (let i = 0; i < n; i++) {
      await ctx.step(`s${i}`, {
        type: "function",
        phase: "build",
        fn: () => {
          calls.push(`s${i}`);
          during?.(i);
          return i;
        },
      });
    }
    return "done";
  });
}

const files = (dir: string) => readdirSync(dir).sort();
const journalFiles = (dir: string) => files(dir).filter((f) => f.startsWith("journal-"));
const snapshotFiles = (dir: string) => files(dir).filter((f) => /^step-\d+\.json$/.test(f));

/** A checkpoint with steps s0…s{n-1}. */
function withSteps(n: number): Checkpoint {
  const checkpoint = emptyCheckpoint("r", "build");
  checkpoint.status = "running";
  for (let i = 0; i < n; i++) {
    checkpoint.completed_step_ids.push(`s${i}`);
    checkpoint.step_results[`s${i}`] = { stepId: `s${i}`, status: "completed", data: i };
    checkpoint.step_meta[`s${i}`] = { type: "function", name: `s${i}`, phase: "build", attempt: 1 };
  }
  checkpoint.current_step_index = n;
  return checkpoint;
}

type HandleProto = Record<"write" | "sync" | "datasync", (...args: unknown[]) => Promise<unknown>>;

/** The prototype of node's FileHandle, whose methods every file write goes through. */
async function fileHandleProto(dir: string): Promise<HandleProto> {
  const probe = await open(join(dir, "probe"), "w");
  const proto = Object.getPrototypeOf(probe) as HandleProto;
  await probe.close();
  return proto;
}

/**
 * Makes the `nth` FileHandle.write from now on (1-based; journal appends, as snapshots use
 * writeFile) fail with EIO after its bytes reached the file, as a disk error would.
 */
async function failNthWrite(dir: string, nth: number) {
  const proto = await fileHandleProto(dir);
  const original = proto.write;
  let count = 0;
  return vi.spyOn(proto, "write").mockImplementation(async function (this: unknown, ...args) {
    count += 1;
    const written = await original.apply(this, args);
    if (count === nth) throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
    return written;
  });
}

/** The open flags of a file descriptor of this process (Linux). */
function fdFlags(fd: number): number | undefined {
  const info = `/proc/self/fdinfo/${fd}`;
  if (!existsSync(info)) return undefined;
  const flags = /flags:\s+(\d+)/.exec(readFileSync(info, "utf8"))?.[1];
  return flags === undefined ? undefined : Number.parseInt(flags, 8);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("CheckpointJournal", () => {
  it("records each step as one journal line and resumes from snapshot + journal after the process dies between compactions", async () => {
    const projectPath = tempDir("journal");
    const calls: string[] = [];
    const first = new WorkflowExecutor({
      projectPath,
      workerId: "a",
      store: new FileRunStore(projectPath, { compactEvery: 3 }),
    });
    const def = steps(8, calls, (i) => {
      if (i === 5) first._crash("r");
    });
    const died = await first.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(died.status).toBe("paused"); // what a dead process leaves: the run is not over
    const dir = new FileRunStore(projectPath).paths("r").checkpoints;
    // write 0 started the run; 1-3 were s0-s2 (3 = a compaction); 4 and 5 were s3 and s4
    expect(snapshotFiles(dir)).toEqual(["step-0.json", "step-3.json"]);
    const lines = readFileSync(join(dir, "journal-3.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((line) => parseJournalRecord(line)?.steps?.map(([key]) => key))).toEqual([
      ["s3"],
      ["s4"],
    ]);

    const second = new WorkflowExecutor({ projectPath, workerId: "b" });
    const outcome = await second.resume("r", { definition: def }).done;
    expect(outcome).toMatchObject({ status: "completed", result: "done" });
    // s0-s4 were recorded and replay; s5 was running when the process died and runs again
    expect(calls).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s5", "s6", "s7"]);
    const loaded = new FileRunStore(projectPath).loadCheckpoint("r");
    expect(loaded?.checkpoint.completed_step_ids).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `s${i}`),
    );
    expect(loaded?.skipped).toEqual([]);
  });

  it("ignores a torn final journal line and never appends after it", async () => {
    const projectPath = tempDir("journal");
    const calls: string[] = [];
    let crashAt: { executor: WorkflowExecutor; step: number } | undefined;
    const def = steps(5, calls, (i) => {
      if (crashAt?.step === i) crashAt.executor._crash("r");
    });
    const first = new WorkflowExecutor({ projectPath, workerId: "a" });
    crashAt = { executor: first, step: 2 };
    await first.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    const store = new FileRunStore(projectPath);
    const dir = store.paths("r").checkpoints;
    const journal = join(dir, "journal-0.jsonl");
    // A crash in the middle of appending s2's record: half a line, no newline.
    appendFileSync(journal, '{"seq":3,"steps":[["s2",{"stepId":"s2","status":"comp');
    const torn = readFileSync(journal, "utf8");
    const loaded = store.loadCheckpoint("r");
    expect(loaded?.checkpoint.completed_step_ids).toEqual(["s0", "s1"]);
    expect(loaded?.skipped).toEqual([]);

    const second = new WorkflowExecutor({ projectPath, workerId: "b" });
    crashAt = { executor: second, step: 3 };
    await second.resume("r", { definition: def }).done;
    // The new holder started a journal of its own after a snapshot; the torn file is as it was.
    expect(readFileSync(journal, "utf8")).toBe(torn);
    expect(journalFiles(dir)).toEqual(["journal-0.jsonl", "journal-3.jsonl"]);
    expect(store.loadCheckpoint("r")?.checkpoint.completed_step_ids).toEqual(["s0", "s1", "s2"]);

    crashAt = undefined;
    const outcome = await new WorkflowExecutor({ projectPath, workerId: "c" }).resume("r", {
      definition: def,
    }).done;
    expect(outcome.status).toBe("completed");
    expect(calls).toEqual(["s0", "s1", "s2", "s2", "s3", "s3", "s4"]);
  });

  it("resumes a run whose checkpoints were written by the old layout (step-N.json only) and numbers on after them", async () => {
    const projectPath = tempDir("journal");
    const store = new FileRunStore(projectPath);
    store.pinRun("r", { snapshot, args: {} });
    const dir = store.paths("r").checkpoints;
    const old = new CheckpointStore(dir);
    for (let n = 1; n <= 6; n++)
      old.save({ ...withSteps(n), status: n === 6 ? "paused" : "running" });
    expect(files(dir)).toEqual(["step-4.json", "step-5.json"]);

    const calls: string[] = [];
    const outcome = await new WorkflowExecutor({ projectPath, workerId: "w" }).resume("r", {
      definition: steps(8, calls),
    }).done;
    expect(outcome.status).toBe("completed");
    expect(calls).toEqual(["s6", "s7"]);
    // Numbered after the old files, which age out like any snapshot.
    expect(snapshotFiles(dir)).toEqual(["step-6.json", "step-9.json"]);
    expect(journalFiles(dir)).toEqual(["journal-6.jsonl"]);
  });

  it("fails the run with the disk's error when a journal append fails, and leaves no part of that record", async () => {
    const projectPath = tempDir("journal");
    const dir = new FileRunStore(projectPath).paths("r").checkpoints;
    const announced: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      observer: { onStepCompleted: (e) => void announced.push(e.stepKey) },
    });
    const calls: string[] = [];
    const def = steps(3, calls);
    // write 1: s0's record; 2: s1's record fails (its bytes reached the file first)
    const spy = await failNthWrite(projectPath, 2);
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    spy.mockRestore();
    expect(outcome).toMatchObject({
      status: "failed",
      error: { message: "EIO: i/o error, write" },
    });
    expect(calls).toEqual(["s0", "s1"]);
    expect(announced).toEqual(["s0"]);
    for (const file of journalFiles(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text === "" || text.endsWith("\n")).toBe(true);
      for (const line of text.split("\n").slice(0, -1))
        expect(parseJournalRecord(line)).toBeDefined();
    }
    expect(readFileSync(join(dir, "journal-0.jsonl"), "utf8")).not.toContain('"s1"');
    const loaded = new FileRunStore(projectPath).loadCheckpoint("r")?.checkpoint;
    expect(loaded?.completed_step_ids).toEqual(["s0"]);
    expect(loaded?.status).toBe("failed");
    // Resuming the failed run tries what was not recorded again, once.
    const again = await new WorkflowExecutor({ projectPath, workerId: "w2" }).resume("r", {
      definition: def,
    }).done;
    expect(again.status).toBe("completed");
    expect(calls).toEqual(["s0", "s1", "s1", "s2"]);
  });

  it("makes each step durable with one synchronized append, and syncs nothing for its log files", async () => {
    const projectPath = tempDir("journal");
    const proto = await fileHandleProto(projectPath);
    const counts = { write: 0, sync: 0, datasync: 0 };
    const appendFlags: (number | undefined)[] = [];
    for (const method of ["write", "sync", "datasync"] as const) {
      const original = proto[method];
      vi.spyOn(proto, method).mockImplementation(function (this: { fd: number }, ...args) {
        counts[method] += 1;
        if (method === "write") appendFlags.push(fdFlags(this.fd));
        return original.apply(this, args);
      });
    }
    let before = { ...counts };
    const during: (typeof counts)[] = [];
    const def = workflow(async (ctx) => {
      // The first step also creates the journal file (and syncs its directory once).
      await ctx.step("first", { type: "function", phase: "build", fn: () => 0 });
      before = { ...counts };
      for (let i = 0; i < 20; i++) {
        await ctx.step(`s${i}`, { type: "function", phase: "build", fn: () => i });
      }
      during.push({
        write: counts.write - before.write,
        sync: counts.sync - before.sync,
        datasync: counts.datasync - before.datasync,
      });
    });
    const executor = new WorkflowExecutor({ projectPath, workerId: "w" });
    const outcome = await executor.start({ runId: "r", definition: def, snapshot, args: {} }).done;
    expect(outcome.status).toBe("completed");
    // One write per step, to a file opened with O_DSYNC: it returns once the data is durable.
    expect(during).toEqual([{ write: 20, sync: 0, datasync: 0 }]);
    for (const flags of appendFlags) {
      if (flags !== undefined) expect(flags & constants.O_DSYNC).toBe(constants.O_DSYNC);
    }
  });

  it("reads a run whose first snapshot has not landed yet as having no checkpoint, and journal records without any snapshot as corrupt", () => {
    const dir = join(tempDir("journal"), "checkpoints");
    mkdirSync(dir);
    writeFileSync(join(dir, "journal-0.jsonl"), "");
    expect(new CheckpointJournal(dir).load()).toBeUndefined();
    writeFileSync(join(dir, "journal-0.jsonl"), '{"seq":1,"set":{"status":"running"}}\n');
    expect(() => new CheckpointJournal(dir).load()).toThrow(CheckpointCorruptError);
  });

  it("keeps two snapshots and the journal a fallback needs, so a corrupt newest snapshot loses nothing", async () => {
    const dir = join(tempDir("journal"), "checkpoints");
    const journal = new CheckpointJournal(dir, { compactEvery: 4 });
    let checkpoint = withSteps(0);
    await journal.write(checkpoint);
    for (let n = 1; n <= 13; n++) {
      checkpoint = withSteps(n);
      checkpoint.state = { n };
      await journal.write(checkpoint);
    }
    // Background snapshots land soon after the write that made them.
    await vi.waitFor(() => expect(snapshotFiles(dir)).toEqual(["step-12.json", "step-8.json"]));
    expect(journalFiles(dir)).toEqual(["journal-12.jsonl", "journal-8.jsonl"]);
    expect(new CheckpointJournal(dir).load()?.checkpoint).toEqual(checkpoint);

    writeFileSync(join(dir, "step-12.json"), '{"execution_id": "r", "step_res');
    const fallback = new CheckpointJournal(dir).load();
    expect(fallback?.checkpoint).toEqual(checkpoint);
    expect(fallback?.sequence).toBe(13);
    expect(fallback?.skipped.map((s) => s.file)).toEqual([join(dir, "step-12.json")]);
  });
});
