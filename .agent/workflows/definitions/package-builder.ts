// Seeds 001/002: build a set of packages in dependency order. Each package is a child run
// (package-build, its own card); a package starts only once everything it depends on is
// built, and never more than `concurrency` build at once.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

const packageSchema = z.object({
  name: z.string().min(1),
  /** Default `packages/<name>`. */
  dir: z.string().optional(),
  dependsOn: z.array(z.string()).default([]),
});
type Package = z.infer<typeof packageSchema>;

/** Dependency levels (level 0 needs nothing); names the cycle or unknown package if any. */
function levels(packages: Package[]): string[][] {
  const names = new Set(packages.map((p) => p.name));
  for (const p of packages) {
    const unknown = p.dependsOn.filter((d) => !names.has(d));
    if (unknown.length) throw new Error(`${p.name} depends on unknown ${unknown.join(", ")}`);
  }
  const done = new Set<string>();
  const result: string[][] = [];
  while (done.size < packages.length) {
    const ready = packages
      .filter((p) => !done.has(p.name) && p.dependsOn.every((d) => done.has(d)))
      .map((p) => p.name);
    if (ready.length === 0) {
      const stuck = packages.filter((p) => !done.has(p.name)).map((p) => p.name);
      throw new Error(`dependency cycle among ${stuck.join(", ")}`);
    }
    for (const name of ready) done.add(name);
    result.push(ready);
  }
  return result;
}

export default defineWorkflow({
  name: "Package Builder",
  description: "Builds packages in dependency order, each as its own run, at most 4 at once",
  phases: ["INITIALIZE", "PLAN", "BUILD", "VERIFY", "COMPLETE"],
  argsSchema: z.object({
    /** JSON: `[{ "name": "core", "dir": "packages/core", "dependsOn": [] }, …]`. */
    packagesFile: z.string().default("packages.json"),
    concurrency: z.number().int().min(1).max(32).default(4),
    build: z.string().default("pnpm build"),
    test: z.string().default("pnpm test"),
    builtMarker: z.string().optional(),
    attempts: z.number().int().min(1).max(10).default(3),
    retryDelay: z.string().default("2s"),
  }),

  async execute(ctx) {
    const { args } = ctx;
    const read = await ctx.step("read-packages", {
      name: "Read the package list",
      phase: "INITIALIZE",
      type: "function",
      fn: () => {
        const file = resolve(ctx.workdir, args.packagesFile);
        const list = z.array(packageSchema).safeParse(JSON.parse(readFileSync(file, "utf8")));
        if (!list.success) throw new Error(`${args.packagesFile}: ${z.prettifyError(list.error)}`);
        return list.data;
      },
    });
    const packages = read.data ?? [];

    const plan = await ctx.step("plan", {
      name: "Plan the build order",
      phase: "PLAN",
      type: "function",
      fn: () => levels(packages),
    });

    const status = new Map<string, "completed" | "failed" | "cancelled" | "skipped">();
    let active = 0;
    const publish = () =>
      ctx.setState({
        total: packages.length,
        queued: packages.length - status.size - active,
        active,
        built: [...status.values()].filter((s) => s === "completed").length,
        failed: [...status.values()].filter((s) => s !== "completed").length,
      });
    await publish();

    await ctx.parallel(
      packages,
      { concurrency: args.concurrency, key: (p) => p.name, dependsOn: (p) => p.dependsOn },
      async (pkg) => {
        if (pkg.dependsOn.some((d) => status.get(d) !== "completed")) {
          status.set(pkg.name, "skipped");
          return;
        }
        active++;
        await publish();
        const child = await ctx.run(
          "package-build",
          {
            name: pkg.name,
            dir: pkg.dir ?? `packages/${pkg.name}`,
            build: args.build,
            test: args.test,
            attempts: args.attempts,
            retryDelay: args.retryDelay,
            ...(args.builtMarker !== undefined && { builtMarker: args.builtMarker }),
          },
          { id: `build-${pkg.name}`, name: `Build ${pkg.name}`, phase: "BUILD" },
        );
        active--;
        status.set(pkg.name, child.status);
        await publish();
      },
    );

    const summary = await ctx.step("verify", {
      name: "Verify every package",
      phase: "VERIFY",
      type: "function",
      fn: () => {
        const by = (wanted: string) =>
          packages.filter((p) => status.get(p.name) === wanted).map((p) => p.name);
        return {
          levels: plan.data,
          built: by("completed"),
          failed: [...by("failed"), ...by("cancelled")],
          skipped: by("skipped"),
        };
      },
    });
    const report = summary.data ?? { built: [], failed: [], skipped: [] };
    await ctx.comment(
      `Built ${report.built.length} of ${packages.length} packages` +
        (report.failed.length ? `; failed: ${report.failed.join(", ")}` : "") +
        (report.skipped.length
          ? `; skipped (a dependency failed): ${report.skipped.join(", ")}`
          : ""),
    );
    await ctx.step("complete", {
      name: "Complete",
      phase: "COMPLETE",
      type: "function",
      fn: () => {
        if (report.failed.length || report.skipped.length) {
          throw new Error(
            `not every package built: ${[...report.failed, ...report.skipped].join(", ")}`,
          );
        }
        return report;
      },
    });
    return report;
  },
});
