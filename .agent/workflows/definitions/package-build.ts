// One package's build, started by package-builder as a child run (its own card).
// Seeds 001/002: pre-flight checks with an early exit when the package is already built,
// build attempts with an agent fixing the build between them, tests with retry, and a
// report that is written whatever happened.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

export default defineWorkflow({
  name: "Package Build",
  description: "Pre-flight, build (an agent fixes failures between attempts), test, report",
  phases: ["PREFLIGHT", "BUILD", "TEST", "REPORT"],
  argsSchema: z.object({
    name: z.string().min(1),
    /** The package's folder, relative to the run's working directory. */
    dir: z.string().min(1),
    /** Run in the package folder with PACKAGE set to its name. */
    build: z.string().default("pnpm build"),
    test: z.string().default("pnpm test"),
    /** A file (in the package folder) whose presence means the package is already built. */
    builtMarker: z.string().optional(),
    attempts: z.number().int().min(1).max(10).default(3),
    testAttempts: z.number().int().min(1).max(10).default(2),
    retryDelay: z.string().default("2s"),
    agent: z.enum(["claude", "codex", "gemini"]).default("claude"),
  }),

  async execute(ctx) {
    const { args } = ctx;
    const dir = join(ctx.workdir, args.dir);
    const env = { PACKAGE: args.name };
    let outcome: "already built" | "built" | "failed" = "failed";
    let attempts = 0;
    try {
      const preflight = await ctx.step("preflight", {
        name: "Pre-flight checks",
        phase: "PREFLIGHT",
        type: "function",
        fn: () => ({
          folder: existsSync(dir),
          built: args.builtMarker !== undefined && existsSync(join(dir, args.builtMarker)),
        }),
      });
      if (!preflight.data?.folder)
        throw new Error(`${args.name}: no package folder at ${args.dir}`);
      if (preflight.data.built) {
        outcome = "already built";
        return { package: args.name, outcome, attempts };
      }

      let lastError = "";
      for (attempts = 1; attempts <= args.attempts; attempts++) {
        const build = await ctx.step(`build-${attempts}`, {
          name: `Build (attempt ${attempts})`,
          phase: "BUILD",
          type: "script",
          command: ["sh", "-c", args.build],
          cwd: dir,
          env,
          continueOnError: true,
        });
        if (build.status === "completed") break;
        lastError = build.error?.message ?? "the build failed";
        if (attempts === args.attempts) {
          throw new Error(`${args.name} did not build after ${attempts} attempts: ${lastError}`);
        }
        await ctx.step(`remediate-${attempts}`, {
          name: `Fix the build (after attempt ${attempts})`,
          phase: "BUILD",
          type: "agent",
          agent: args.agent,
          permission: "acceptEdits",
          cwd: dir,
          prompt: `The build of package ${args.name} (\`${args.build}\` in ${args.dir}) failed:\n\n${lastError}\n\nFix the cause, then stop.`,
        });
        await ctx.sleep(`wait-${attempts}`, args.retryDelay);
      }

      await ctx.step("test", {
        name: "Test",
        phase: "TEST",
        type: "script",
        command: ["sh", "-c", args.test],
        cwd: dir,
        env,
        retry: { attempts: args.testAttempts, initialDelay: args.retryDelay },
      });
      outcome = "built";
      return { package: args.name, outcome, attempts };
    } finally {
      await ctx.step("report", {
        name: "Report",
        phase: "REPORT",
        type: "function",
        fn: () => ({ package: args.name, outcome, attempts }),
      });
    }
  },
});
