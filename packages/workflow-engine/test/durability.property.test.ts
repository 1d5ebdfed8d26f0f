import { tempDir } from "@phaseboard/test-kit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkflowExecutor } from "../src/execution/WorkflowExecutor.js";
import type { WorkflowDefinition } from "../src/types/definition.js";
import type { RunHandle } from "../src/types/executor.js";

type Op = { kind: "step"; id: string } | { kind: "parallel"; items: string[] };
type Interruption = "pause" | "pauseNow" | "crash";

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("step" as const), id: fc.constantFrom("a", "b", "c") }),
  fc.record({
    kind: fc.constant("parallel" as const),
    items: fc.uniqueArray(fc.constantFrom("x", "y", "z"), { minLength: 1, maxLength: 3 }),
  }),
);

describe("durability under random pause, resume and crash points", () => {
  it("a completed step never runs again, every step completes once, and only interruptions cause reruns", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 6 }),
        fc.dictionary(
          fc.integer({ min: 0, max: 12 }).map(String),
          fc.constantFrom<Interruption>("pause", "pauseNow", "crash"),
        ),
        async (ops, schedule) => {
          const projectPath = tempDir("prop");
          const executions = new Map<string, number>();
          const completed = new Map<string, number>();
          const ranAfterCompletion: string[] = [];
          let interruptions = 0;
          let calls = 0;
          const observer = {
            onStepCompleted: (e: { stepKey: string }) => {
              completed.set(e.stepKey, (completed.get(e.stepKey) ?? 0) + 1);
            },
          };
          let executor = new WorkflowExecutor({ projectPath, workerId: "w", observer });
          let handle: RunHandle | undefined;
          const definition: WorkflowDefinition = {
            name: "random",
            phases: ["p"],
            argsSchema: {},
            async execute(ctx) {
              const out: string[] = [];
              const step = async (id: string) => {
                const r = await ctx.step(id, {
                  type: "function",
                  phase: "p",
                  fn: (rt) => {
                    executions.set(rt.stepId, (executions.get(rt.stepId) ?? 0) + 1);
                    if (completed.has(rt.stepId)) ranAfterCompletion.push(rt.stepId);
                    const what = schedule[String(calls++)];
                    if (what === "pause") void handle?.pause();
                    if (what === "pauseNow" || what === "crash") {
                      interruptions += 1;
                      if (what === "crash") executor._crash(ctx.runId);
                      else void handle?.pause({ now: true });
                    }
                    return rt.stepId;
                  },
                });
                return r.data as string;
              };
              for (const o of ops) {
                if (o.kind === "step") out.push(await step(o.id));
                else
                  out.push(
                    ...(await ctx.parallel(o.items, { concurrency: 2 }, (item) => step(item))),
                  );
              }
              return out;
            },
          };
          handle = executor.start({
            runId: "r",
            definition,
            snapshot: {
              name: "random",
              format: "code",
              phases: ["p"],
              argsSchema: {},
              source: { bundle: "" },
            },
            args: {},
          });
          let outcome = await handle.done;
          for (let round = 0; outcome.status !== "completed" && round < 30; round++) {
            expect(outcome.status).toBe("paused");
            // a fresh executor, as a restarted process would have
            executor = new WorkflowExecutor({ projectPath, workerId: `w${round}`, observer });
            handle = executor.resume("r", { definition });
            outcome = await handle.done;
          }
          expect(outcome.status).toBe("completed");
          const result = outcome.result as string[];
          expect(new Set(result).size).toBe(result.length);
          // A completed step never runs again, and is reported completed exactly once.
          expect(ranAfterCompletion).toEqual([]);
          for (const key of result) expect(completed.get(key)).toBe(1);
          expect([...executions.keys()].sort()).toEqual([...result].sort());
          // Only interruptions cause re-execution: at most one extra run per in-flight
          // step per interruption (at most two in flight: concurrency 2).
          const extra = [...executions.values()].reduce((sum, n) => sum + n - 1, 0);
          expect(extra).toBeLessThanOrEqual(2 * interruptions);
          if (interruptions === 0) expect(extra).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
