/**
 * Engine benchmarks (run with `pnpm bench`): per-step overhead against the fsync floor
 * measured in the same run, throughput of many concurrent runs, and resume latency.
 */
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkflowExecutor } from "../src/execution/WorkflowExecutor.js";
import { runPaths } from "../src/storage/runPaths.js";
import { fsyncDirectory } from "../src/storage/writeFileAtomic.js";
import { FileRunStore } from "../src/store/FileRunStore.js";
import type { DefinitionSnapshot, WorkflowDefinition } from "../src/types/definition.js";
import { restatePerStep } from "./restate.bench.js";

const snapshot: DefinitionSnapshot = {
  name: "bench",
  format: "code",
  phases: ["p"],
  argsSchema: {},
  source: { bundle: "" },
};
const noop = { type: "function" as const, phase: "p", fn: () => null };

function steps(n: number, onBefore?: (i: number) => void): WorkflowDefinition {
  return {
    name: "bench",
    phases: ["p"],
    argsSchema: {},
    async execute(ctx) {
      for (let i = 0; i < n; i++) {
        onBefore?.(i);
        await ctx.step(`s${i}`, noop);
      }
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const project = () => mkdtempSync(join(tmpdir(), "phaseboard-bench-"));

/** The old layout's floor: write + fsync + rename of the whole checkpoint (+ dir fsync). */
function floorWrite(dir: string, bytes: Buffer, i: number, dirSync: boolean): number {
  const t = process.hrtime.bigint();
  const tmp = join(dir, `f-${i}.tmp`);
  const fd = openSync(tmp, "w");
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, join(dir, `f-${i % 2}.json`));
  if (dirSync) fsyncDirectory(dir);
  return Number(process.hrtime.bigint() - t) / 1000;
}

/** The journal's floor: append the same record bytes to an open file and fdatasync it. */
function floorAppend(fd: number, bytes: Buffer): number {
  const t = process.hrtime.bigint();
  writeSync(fd, bytes);
  fdatasyncSync(fd);
  return Number(process.hrtime.bigint() - t) / 1000;
}

/** The append floor plus what seed 004's tree asks of every step: logs/{id}/ with three files. */
function floorWithStepLogs(dir: string, fd: number, bytes: Buffer, i: number): number {
  const t = process.hrtime.bigint();
  const logs = join(dir, `logs-${i}`);
  mkdirSync(logs);
  for (const name of ["input.json", "output.json", "summary.md"]) {
    writeFileSync(join(logs, name), "{}");
  }
  const took = Number(process.hrtime.bigint() - t) / 1000;
  return took + floorAppend(fd, bytes);
}

/** The last line of the run's newest journal file: the record the last step wrote. */
function lastRecord(checkpoints: string): Buffer {
  const newest = readdirSync(checkpoints)
    .filter((name) => name.startsWith("journal-"))
    .sort((a, b) => Number(b.slice(8, -6)) - Number(a.slice(8, -6)))[0];
  const lines = readFileSync(join(checkpoints, newest as string), "utf8").split("\n");
  return Buffer.from(`${lines[lines.length - 2]}\n`);
}

async function perStepOverhead() {
  const N = 500;
  const projectPath = project();
  const floorDir = join(projectPath, "floor");
  mkdirSync(floorDir);
  const floorJournal = openSync(join(floorDir, "journal.jsonl"), "a");
  const store = new FileRunStore(projectPath);
  const checkpoints = runPaths(projectPath, "r").checkpoints;
  const perCall: number[] = [];
  const append: number[] = [];
  const appendWithLogs: number[] = [];
  const whole: number[] = [];
  const wholeDirSync: number[] = [];
  let recordBytes = 0;
  let checkpointBytes = 0;
  // Interleaved: after each step, the floors write what that step wrote (its journal
  // record; for the old layout the whole checkpoint), so all see the same disk load (this
  // machine's fsync latency varies a lot).
  const def: WorkflowDefinition = {
    name: "bench",
    phases: ["p"],
    argsSchema: {},
    async execute(ctx) {
      for (let i = 0; i < N; i++) {
        const t = process.hrtime.bigint();
        await ctx.step(`s${i}`, noop);
        perCall.push(Number(process.hrtime.bigint() - t) / 1000);
        const record = lastRecord(checkpoints);
        recordBytes = record.length;
        append.push(floorAppend(floorJournal, record));
        appendWithLogs.push(floorWithStepLogs(floorDir, floorJournal, record, i));
        const checkpoint = Buffer.from(JSON.stringify(store.loadCheckpoint("r")?.checkpoint));
        checkpointBytes = checkpoint.length;
        whole.push(floorWrite(floorDir, checkpoint, i, false));
        wholeDirSync.push(floorWrite(floorDir, checkpoint, i, true));
      }
    },
  };
  await new WorkflowExecutor({ projectPath, workerId: "bench", store }).start({
    runId: "r",
    definition: def,
    snapshot,
    args: {},
  }).done;
  closeSync(floorJournal);
  rmSync(projectPath, { recursive: true, force: true });
  const step = median(perCall);
  const a = median(append);
  const al = median(appendWithLogs);
  const w = median(whole);
  const wd = median(wholeDirSync);
  const ratio = (floor: number) => `${(step / floor).toFixed(2)}×`;
  console.log(
    `1) per-step overhead, no-op function step, ${N} steps, journal record ${recordBytes} B, whole checkpoint up to ${Math.round(checkpointBytes / 1024)} KB`,
  );
  console.log(`   median step (ctx.step call → return):        ${step.toFixed(0)} µs`);
  console.log(
    `   floor: append the record + fdatasync:        ${a.toFixed(0)} µs  → ratio ${ratio(a)}`,
  );
  console.log(
    `   floor + seed 004's step log files:           ${al.toFixed(0)} µs  → ratio ${ratio(al)}`,
  );
  console.log(
    `   old layout: whole checkpoint write+fsync+rename: ${w.toFixed(0)} µs, + dir fsync ${wd.toFixed(0)} µs`,
  );
  const restate = await restatePerStep(101, 15);
  if (restate === undefined) {
    console.log(
      "   Restate single node, per added ctx.run: skipped (set RESTATE_MODULES, see bench/restate.bench.ts)",
    );
  } else {
    console.log(
      `   Restate single node, per added ctx.run:      ${restate.toFixed(0)} µs  → engine/Restate ${(step / restate).toFixed(2)}×, Restate/floor ${(restate / a).toFixed(2)}×`,
    );
  }
}

async function manyRuns() {
  const RUNS = 1000;
  const STEPS = 10;
  const AT_ONCE = 50;
  const projectPath = project();
  const executor = new WorkflowExecutor({ projectPath, workerId: "bench" });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const def = steps(STEPS);
  const t = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < RUNS) {
      const id = `run-${next++}`;
      const outcome = await executor.start({ runId: id, definition: def, snapshot, args: {} }).done;
      if (outcome.status !== "completed") throw new Error(`${id} ${outcome.status}`);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  rmSync(projectPath, { recursive: true, force: true });
  console.log(
    `2) ${RUNS} runs × ${STEPS} no-op steps, ${AT_ONCE} at a time: ${((RUNS * STEPS) / seconds).toFixed(0)} steps/s (${seconds.toFixed(1)} s), peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB`,
  );
}

async function resumeLatency() {
  const DONE = 1000;
  const projectPath = project();
  let pauseAt: number | undefined = DONE;
  let handle: ReturnType<WorkflowExecutor["start"]> | undefined;
  let reachedNew: bigint | undefined;
  const def = steps(DONE + 1, (i) => {
    if (i === pauseAt) {
      pauseAt = undefined;
      void handle?.pause();
    } else if (i === DONE) {
      reachedNew = process.hrtime.bigint();
    }
  });
  handle = new WorkflowExecutor({ projectPath, workerId: "a" }).start({
    runId: "r",
    definition: def,
    snapshot,
    args: {},
  });
  const first = await handle.done;
  if (first.status !== "paused") throw new Error(`expected paused, got ${first.status}`);
  const t = process.hrtime.bigint();
  const resumed = new WorkflowExecutor({ projectPath, workerId: "b" }).resume("r", {
    definition: def,
  });
  await resumed.done;
  rmSync(projectPath, { recursive: true, force: true });
  const ms = Number((reachedNew as bigint) - t) / 1e6;
  console.log(
    `3) resume with ${DONE} completed steps → first new step: ${ms.toFixed(1)} ms (target < 50 ms)`,
  );
}

const only = process.argv[2];
if (!only || only === "step") await perStepOverhead();
if (!only || only === "many") await manyRuns();
if (!only || only === "resume") await resumeLatency();
// The Restate SDK's endpoint keeps listening; nothing else is left to wait for.
process.exit(0);
