import type { StepJob } from "@phaseboard/workflow-engine";
import { describe, expect, it } from "vitest";
import { type BookState, StepJobBook } from "../src/StepJobBook.js";

/** A map-backed object state that counts the bytes each operation writes. */
class MeteredState implements BookState {
  values = new Map<string, string>();
  written = 0;
  resolved: Array<{ id: string; value: unknown }> = [];
  async get<T>(key: string): Promise<T | null> {
    const value = this.values.get(key);
    return value === undefined ? null : (JSON.parse(value) as T);
  }
  set<T>(key: string, value: T): void {
    const text = JSON.stringify(value);
    this.written += key.length + text.length;
    this.values.set(key, text);
  }
  clear(key: string): void {
    this.written += key.length;
    this.values.delete(key);
  }
  resolveAwakeable<T>(id: string, value: T): void {
    this.resolved.push({ id, value });
  }
  /** Bytes written by `op`. */
  async meter(op: () => Promise<unknown>): Promise<number> {
    const before = this.written;
    await op();
    return this.written - before;
  }
}

/** A job the size a real one has: its env, command and a prompt of a few hundred bytes. */
const job = (runId: string, stepKey = "build"): StepJob =>
  ({
    runId,
    stepKey,
    projectPath: "/home/dev/project",
    workdir: "/home/dev/project",
    step: {
      type: "agent",
      agent: "claude",
      prompt: `Implement the feature of ${runId}. `.repeat(20),
      env: { PHASEBOARD_PORT: "4100", PHASEBOARD_PORTS: "4100-4109" },
    },
  }) as unknown as StepJob;

const ok = { ok: true as const, result: { data: { exitCode: 0 } } };

async function bookWith(queued: number) {
  const state = new MeteredState();
  const book = new StepJobBook(state);
  for (let i = 0; i < queued; i++) await book.enqueue({ id: `job-${i}`, job: job(`run-${i}`) });
  return { state, book };
}

describe("a worker's job queue", () => {
  it("writes about the same per enqueue, take and complete with 5 or 500 jobs queued", async () => {
    const costs = async (queued: number) => {
      const { state, book } = await bookWith(queued);
      const enqueue = await state.meter(() => book.enqueue({ id: "new", job: job("run-new") }));
      let taken: unknown;
      const take = await state.meter(async () => {
        taken = await book.take(1);
      });
      const complete = await state.meter(() => book.complete("job-0", ok));
      return { enqueue, take, complete, taken };
    };
    const small = await costs(5);
    const large = await costs(500);
    expect(small.taken).toEqual([{ id: "job-0", job: job("run-0") }]);
    for (const op of ["enqueue", "take", "complete"] as const) {
      expect(large[op]).toBeGreaterThan(0);
      // Only the key names' digits differ; an array of every job would be 100× larger.
      expect(large[op]).toBeLessThanOrEqual(small[op] + 16);
    }
    // One job's own record is the biggest write, never the queue.
    expect(large.enqueue).toBeLessThan(2 * JSON.stringify(job("run-new")).length);
  });

  it("hands jobs out oldest first, several in one take, and completes each once", async () => {
    const { state, book } = await bookWith(4);
    expect((await book.take(3)).map((taken) => taken.id)).toEqual(["job-0", "job-1", "job-2"]);
    expect(await book.complete("job-1", ok)).toBe(true);
    expect(await book.complete("job-1", ok)).toBe(false);
    expect(state.resolved).toEqual([{ id: "job-1", value: ok }]);
    expect((await book.take(3)).map((taken) => taken.id)).toEqual(["job-3"]);
    expect(await book.take(1)).toEqual([]);
  });

  it("puts a restarted worker's taken jobs back in front, in their order, and skips dropped ones", async () => {
    const { book } = await bookWith(5);
    await book.take(2);
    await book.abort("job-2"); // untaken: dropped
    expect(await book.hello()).toEqual({ requeued: 2 });
    expect((await book.take(10)).map((taken) => taken.id)).toEqual([
      "job-0",
      "job-1",
      "job-3",
      "job-4",
    ]);
  });

  it("pauses a run: its queued job answers paused, its running job is flagged, then held", async () => {
    const { state, book } = await bookWith(0);
    await book.enqueue({ id: "a", job: job("run-1", "a") });
    await book.enqueue({ id: "b", job: job("run-1", "b") });
    await book.enqueue({ id: "c", job: job("run-2", "c") });
    await book.take(1); // a runs
    expect(await book.pause({ runId: "run-1", now: true, hold: true })).toEqual({ held: false });
    expect(state.resolved.map((entry) => entry.id)).toEqual(["b"]);
    expect(await state.get<string[]>("flagged")).toEqual(["a"]);
    // Whatever the worker completes, the run hears "paused"; c is untouched.
    await book.complete("a", ok);
    expect(state.resolved.map((entry) => entry.id)).toEqual(["b", "a"]);
    expect(state.resolved[1]?.value).not.toEqual(ok);
    expect(await state.get<string[]>("flagged")).toBeNull();
    expect(await book.pause({ runId: "run-1", now: false, hold: true })).toEqual({ held: true });
    await book.enqueue({ id: "d", job: job("run-1", "d") });
    expect(state.resolved.map((entry) => entry.id)).toEqual(["b", "a", "d"]);
    expect((await book.take(5)).map((taken) => taken.id)).toEqual(["c"]);
  });

  it("moves a queue written as one array of jobs to a key per job, keeping order and taken jobs", async () => {
    const state = new MeteredState();
    state.set("jobs", [
      { id: "x", job: job("run-x"), taken: true, aborted: true },
      { id: "y", job: job("run-y"), taken: false },
      { id: "z", job: job("run-z"), taken: false },
    ]);
    const book = new StepJobBook(state);
    expect((await book.take(5)).map((taken) => taken.id)).toEqual(["y", "z"]);
    expect(await state.get("jobs")).toBeNull();
    expect(await state.get<string[]>("flagged")).toEqual(["x"]);
    expect(await book.complete("x", ok)).toBe(true);
  });
});
