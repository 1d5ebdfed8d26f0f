import type { DbClient } from "@phaseboard/db";
import type { UsageService } from "../usage/UsageService.js";

/**
 * The description of a run's pull request, in Markdown: its template, its steps with their
 * outcomes, and what its agents cost. Names come from templates and runs, so they are
 * escaped as Markdown text (a step name cannot turn into a link or an image).
 */
export async function pullRequestBody(
  db: DbClient,
  usage: UsageService,
  runId: string,
): Promise<string> {
  const run = await db.workflowRun.findUniqueOrThrow({
    where: { id: runId },
    include: {
      definition: { select: { name: true } },
      steps: { orderBy: { sequence: "asc" }, select: { name: true, phase: true, status: true } },
    },
  });
  const spent = (await usage.run(runId)).total;
  const lines = [
    `Opened by Phaseboard from the run **${escapeMarkdown(run.name)}** (template ${escapeMarkdown(run.definition.name)}).`,
    "",
    "### Steps",
    ...(run.steps.length === 0
      ? ["- (none)"]
      : run.steps.map(
          (step) =>
            `- ${escapeMarkdown(step.name)} (${escapeMarkdown(step.phase)}): ${step.status}`,
        )),
    "",
    `**Cost:** $${spent.cost_usd.toFixed(2)}, ${spent.input_tokens + spent.output_tokens} tokens`,
  ];
  return `${lines.join("\n")}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, "\\$&").replace(/\s+/g, " ");
}
