/** The two templates `phaseboard init` writes: one of each format, both runnable as is. */
export const starterTemplates: { file: string; content: string }[] = [
  {
    file: "hello.yaml",
    content: `# A YAML template: phases are the board's columns, steps run in order.
name: Hello
description: Greets someone, then lists the repository's files.
phases: [greet, inspect]
argsSchema:
  type: object
  properties:
    who:
      type: string
      description: Who to greet
  required: [who]
steps:
  - id: greet
    name: Say hello
    phase: greet
    type: script
    command: echo Hello, {{ args.who }}
  - id: list-files
    name: List files
    phase: inspect
    type: script
    command: ls
`,
  },
  {
    file: "review-changes.ts",
    content: `// A TypeScript template: ctx.step checkpoints each step, so a run can pause, resume
// and survive restarts. Code outside steps must be deterministic.
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

export default defineWorkflow({
  name: "Review changes",
  description: "Collects the working tree's diff, then asks an agent to review it.",
  phases: ["collect", "review"],
  argsSchema: z.object({ focus: z.string().default("correctness") }),
  async execute(ctx) {
    await ctx.step("diff", {
      phase: "collect",
      type: "script",
      command: "git diff --stat",
    });
    await ctx.step("review", {
      phase: "review",
      type: "agent",
      agent: "claude",
      permission: "plan",
      prompt: \`Review the uncommitted changes in this repository, focusing on \${ctx.args.focus}.\`,
    });
  },
});
`,
  },
];
