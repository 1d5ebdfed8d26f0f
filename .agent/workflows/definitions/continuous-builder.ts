// Seed 001's long-running orchestrator: it builds packages as they are handed to it and
// otherwise waits, costing nothing. Signals steer it — `newPackages` ({ packages: [...] }
// or a whitespace-separated string), `pause`, `resume` and `drain` (finish the queue,
// then end) — and its card shows the queue, what is building, and what is done or failed.
// Every `continueEvery` packages it continues as a fresh run, so its history stays short.
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

const CONTROL = ["newPackages", "pause", "resume", "drain"];

/** Package names from a `newPackages` payload. */
function packagesIn(payload: unknown): string[] {
  const raw =
    typeof payload === "string"
      ? payload
      : payload && typeof payload === "object" && "packages" in payload
        ? (payload as { packages: unknown }).packages
        : [];
  const list = typeof raw === "string" ? raw.split(/\s+/) : Array.isArray(raw) ? raw : [];
  return list.map(String).filter((name) => /^[\w@./-]+$/.test(name));
}

export default defineWorkflow({
  name: "Continuous Builder",
  description: "Builds packages as they arrive (signal newPackages); pause, resume and drain",
  phases: ["WAIT", "BUILD"],
  argsSchema: z.object({
    /** Run once per package in the project root, with PACKAGE set to its name. */
    build: z.string().default('pnpm --filter "$PACKAGE" build'),
    continueEvery: z.number().int().min(1).default(25),
    // Carried from one run to its continuation.
    queue: z.array(z.string()).default([]),
    done: z.number().int().min(0).default(0),
    failed: z.number().int().min(0).default(0),
  }),

  async execute(ctx) {
    const { args } = ctx;
    const queue = [...args.queue];
    let { done, failed } = args;
    let paused = false;
    let draining = false;
    let builtHere = 0;
    const publish = (building: string | null) =>
      ctx.setState({
        queue: queue.length,
        active: building ? 1 : 0,
        building,
        done,
        failed,
        paused,
        draining,
      });
    const take = (signals: { name: string; payload: unknown }[]) => {
      for (const { name, payload } of signals) {
        if (name === "newPackages") {
          for (const pkg of packagesIn(payload)) if (!queue.includes(pkg)) queue.push(pkg);
        } else if (name === "pause") paused = true;
        else if (name === "resume") paused = false;
        else if (name === "drain") draining = true;
      }
    };
    await publish(null);

    for (;;) {
      if (queue.length > 0 && !paused) {
        take(await ctx.pollSignals(CONTROL, { id: "inbox" }));
      } else if (draining && queue.length === 0) {
        break;
      } else {
        // Nothing to do: the run waits (no process, no slot) until a signal arrives.
        take([
          await ctx.waitForSignals(paused ? ["resume", "drain", "newPackages"] : CONTROL, {
            id: "idle",
            phase: "WAIT",
          }),
        ]);
      }
      await publish(null);
      if (paused || queue.length === 0) continue;

      const pkg = queue.shift() as string;
      await publish(pkg);
      const build = await ctx.step(`build-${pkg}`, {
        name: `Build ${pkg}`,
        phase: "BUILD",
        type: "script",
        command: ["sh", "-c", args.build],
        env: { PACKAGE: pkg },
        continueOnError: true,
      });
      if (build.status === "completed") done++;
      else failed++;
      builtHere++;
      await publish(null);

      if (builtHere >= args.continueEvery && !draining) {
        // Whatever arrived meanwhile goes with the queue to the successor.
        take(await ctx.pollSignals(CONTROL, { id: "handover" }));
        await ctx.continueAsNew({
          build: args.build,
          continueEvery: args.continueEvery,
          queue,
          done,
          failed,
        });
      }
    }
    return { done, failed };
  },
});
