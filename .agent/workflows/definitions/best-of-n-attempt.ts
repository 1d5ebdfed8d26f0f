// One attempt of a Best-of-N run (best-of-n.ts starts these as its child runs, each in a
// git worktree of its own): one agent works on the task, and whatever it changes in its
// worktree is the attempt's answer.
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

export default defineWorkflow({
  name: "Best of N Attempt",
  description: "One agent's attempt at a Best-of-N task, in a worktree of its own",
  phases: ["attempt"],
  argsSchema: z.object({
    task: z.string().min(1),
    agent: z.enum(["claude", "codex", "gemini"]),
    /** Which attempt this is (1-based), so each card and prompt says so. */
    attempt: z.number().int().min(1),
    of: z.number().int().min(1),
  }),

  async execute(ctx) {
    const { task, agent, attempt, of } = ctx.args;
    const work = await ctx.step("work", {
      name: `Attempt ${attempt} of ${of}`,
      phase: "attempt",
      type: "agent",
      agent,
      prompt: `${task}\n\n(Attempt ${attempt} of ${of}: make your changes in this folder; other agents try the same task elsewhere.)`,
      permission: "acceptEdits",
    });
    return { agent, attempt, summary: (work.data as { resultText?: string })?.resultText ?? "" };
  },
});
