import type { StepResult, StepType } from "../types/step.js";

/** The human-readable summary.md of a finished step. */
export function stepSummary(
  key: string,
  info: { type: StepType; name: string; phase: string },
  result: StepResult,
  attempt: number,
): string {
  const lines = [
    `# ${info.name}`,
    "",
    `- step: \`${key}\` (${info.type}, phase ${info.phase})`,
    `- status: ${result.status} after ${attempt} attempt(s)`,
  ];
  if (result.error) lines.push(`- error: ${result.error.name}: ${result.error.message}`);
  return `${lines.join("\n")}\n`;
}
