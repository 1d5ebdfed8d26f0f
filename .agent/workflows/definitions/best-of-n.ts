// Best of N: the same task, N agents, N git worktrees, one winner. Each attempt is a child
// run (its own card) in a worktree branched from this run's branch; a judge agent reads
// the N diffs and names the best; the winner is squashed into this run's worktree, so this
// run's own diff is the winner's change, ready for the usual Review and Merge. The losers'
// worktrees are removed; their branches stay, so nothing is lost.
import { defineWorkflow, type RunDiff } from "@phaseboard/workflow-engine";
import { z } from "zod";

const AGENTS = ["claude", "codex", "gemini"] as const;
/** A judge prompt stays readable: each patch is cut at this many characters. */
const PATCH_LIMIT = 40_000;

const decisionSchema = z.object({
  winner: z.number().int(),
  reason: z.string().default(""),
});

/** The judge's answer: the last JSON object in its reply. */
function parseDecision(text: string, candidates: number[]): z.infer<typeof decisionSchema> {
  const objects = text.match(/\{[^{}]*\}/g) ?? [];
  for (const raw of objects.reverse()) {
    try {
      const decision = decisionSchema.parse(JSON.parse(raw));
      if (candidates.includes(decision.winner)) return decision;
    } catch {
      // Not the answer object; try the one before.
    }
  }
  throw new Error(
    `the judge did not name one of the attempts ${candidates.join(", ")} as {"winner": <number>}: ${text.slice(0, 500)}`,
  );
}

function describe(attempt: number, agent: string, diff: RunDiff): string {
  const files = diff.files
    .map((f) => `${f.status} ${f.path} (+${f.additions} -${f.deletions})`)
    .join("\n");
  const patch =
    diff.patch.length > PATCH_LIMIT
      ? `${diff.patch.slice(0, PATCH_LIMIT)}\n… (${diff.patch.length - PATCH_LIMIT} more characters)`
      : diff.patch;
  return `## Attempt ${attempt} (${agent})\n\nFiles:\n${files}\n\n\`\`\`diff\n${patch}\n\`\`\``;
}

export default defineWorkflow({
  name: "Best of N",
  description: "Runs one task with N agents in N worktrees at once; a judge keeps the best diff",
  phases: ["attempts", "judge", "apply"],
  argsSchema: z.object({
    task: z.string().min(1),
    n: z.number().int().min(2).max(5).default(3),
    /** Attempt i uses agents[(i - 1) % agents.length]. */
    agents: z.array(z.enum(AGENTS)).min(1).default(["claude", "codex", "gemini"]),
    judge: z.enum(AGENTS).default("claude"),
  }),

  async execute(ctx) {
    const { task, n, agents, judge } = ctx.args;
    const attempts = Array.from({ length: n }, (_, i) => ({
      attempt: i + 1,
      agent: agents[i % agents.length] ?? "claude",
    }));
    await ctx.setState({ attempts: n, agents: attempts.map((a) => a.agent).join(", ") });

    const children = await ctx.parallel(
      attempts,
      { key: (a) => `attempt-${a.attempt}` },
      ({ attempt, agent }) =>
        ctx.run(
          "best-of-n-attempt",
          { task, agent, attempt, of: n },
          {
            id: "run",
            name: `Attempt ${attempt} of ${n} (${agent})`,
            phase: "attempts",
            workspace: "own",
          },
        ),
    );

    const candidates: { attempt: number; agent: string; runId: string; diff: RunDiff }[] = [];
    for (const [i, child] of children.entries()) {
      const { attempt, agent } = attempts[i] ?? { attempt: i + 1, agent: "claude" };
      if (child.status !== "completed") continue;
      const diff = await ctx.diffOfRun(child.runId, { id: `diff-${attempt}`, phase: "judge" });
      if (diff.files.length > 0) candidates.push({ attempt, agent, runId: child.runId, diff });
    }
    if (candidates.length === 0) {
      throw new Error(`none of the ${n} attempts finished with a change`);
    }

    let decision = {
      winner: candidates[0]?.attempt ?? 1,
      reason: "the only attempt with a change",
    };
    if (candidates.length > 1) {
      const verdict = await ctx.step("judge", {
        name: "Judge the attempts",
        phase: "judge",
        type: "agent",
        agent: judge,
        permission: "plan",
        prompt: [
          `${candidates.length} attempts at one task follow, each as the diff it made.`,
          `Task:\n${task}`,
          ...candidates.map((c) => describe(c.attempt, c.agent, c.diff)),
          `Pick the attempt that does the task best (correct, complete, smallest fitting change). Reply with only this JSON object: {"winner": <attempt number>, "reason": "<one sentence>"}`,
        ].join("\n\n"),
      });
      const text = (verdict.data as { resultText?: string } | undefined)?.resultText ?? "";
      const parsed = await ctx.step("decision", {
        name: "Read the judge's decision",
        phase: "judge",
        type: "function",
        fn: () =>
          parseDecision(
            text,
            candidates.map((c) => c.attempt),
          ),
      });
      decision = parsed.data ?? decision;
    }
    const winner = candidates.find((c) => c.attempt === decision.winner) ?? candidates[0];
    if (!winner) throw new Error("no winner");

    const merged = await ctx.mergeRun(winner.runId, {
      id: "merge-winner",
      phase: "apply",
      mode: "squash",
      message: `Best of ${n}: attempt ${winner.attempt} (${winner.agent})\n\n${task}`,
    });
    for (const [i, child] of children.entries()) {
      if (child.runId === winner.runId || child.workdir === undefined) continue;
      await ctx.removeRunWorktree(child.runId, { id: `remove-${i + 1}`, phase: "apply" });
    }
    await ctx.comment(
      `Attempt ${winner.attempt} of ${n} (${winner.agent}) wins${decision.reason ? `: ${decision.reason}` : ""}. Squashed into this run's branch at ${merged.commit.slice(0, 7)}.`,
    );
    return {
      winner: winner.attempt,
      agent: winner.agent,
      reason: decision.reason,
      commit: merged.commit,
      files: winner.diff.files.map((f) => f.path),
      attempts: children.map((child, i) => ({
        attempt: i + 1,
        runId: child.runId,
        status: child.status,
      })),
    };
  },
});
