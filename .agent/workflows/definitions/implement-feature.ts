// .agent/workflows/definitions/implement-feature.ts
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

export default defineWorkflow({
  name: "Implement Feature",
  description: "Research, plan, implement, and test a new feature",

  argsSchema: z.object({
    featureName: z.string(),
    requirements: z.string(),
  }),

  phases: ["research", "plan", "implement", "test"],

  async execute(ctx) {
    // Research phase
    const researchResult = await ctx.step("research-codebase", {
      phase: "research",
      type: "agent",
      agent: "claude",
      prompt: `Research the codebase to understand how to implement: ${ctx.args.featureName}`,
      permission: "plan",
    });

    await ctx.checkpoint();

    // Plan phase
    const planResult = await ctx.step("create-spec", {
      phase: "plan",
      type: "agent",
      agent: "claude",
      prompt: `Create a spec for implementing ${ctx.args.featureName}. Requirements: ${ctx.args.requirements}`,
      permission: "acceptEdits",
    });

    await ctx.checkpoint();

    // Implement phase
    const implementResult = await ctx.step("implement", {
      phase: "implement",
      type: "agent",
      agent: "claude",
      prompt: `Implement the feature according to the spec in the previous step.`,
      permission: "acceptEdits",
    });

    await ctx.checkpoint();

    // Test phase
    await ctx.step("run-tests", {
      phase: "test",
      type: "script",
      command: "pnpm test",
      cwd: ctx.projectPath,
    });

    await ctx.step("build", {
      phase: "test",
      type: "script",
      command: "pnpm build",
      cwd: ctx.projectPath,
    });

    await ctx.comment("Feature implementation complete!");
  },
});
