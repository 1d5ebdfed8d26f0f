import type { RunDto } from "../api/wireTypes.js";
import { formatDuration } from "./formatDuration.js";
import { formatTable } from "./formatTable.js";
import type { Output } from "./Output.js";
import { summarizeResult } from "./summarizeResult.js";

/** Colours a run or step status the same way everywhere. */
export function paintStatus(out: Output, status: string): string {
  const c = out.colors;
  switch (status) {
    case "completed":
      return c.green(status);
    case "failed":
    case "cancelled":
      return c.red(status);
    case "running":
      return c.cyan(status);
    case "paused":
    case "waiting":
      return c.yellow(status);
    default:
      return c.dim(status);
  }
}

export function durationBetween(start?: string | null, end?: string | null): string {
  if (!start) return "-";
  const to = end ? Date.parse(end) : Date.now();
  return formatDuration(to - Date.parse(start));
}

/** `phaseboard status`: the run, its phase, and each step with its status and duration. */
export function printRunStatus(out: Output, run: RunDto): void {
  const c = out.colors;
  const template = run.workflow_definition?.name ?? run.workflow_definition_id ?? "";
  out.line(`${c.bold(run.name)} ${c.dim(run.id)}`);
  out.line(`  status    ${paintStatus(out, run.status)}`);
  if (template) out.line(`  template  ${template}`);
  if (run.current_phase) out.line(`  phase     ${run.current_phase}`);
  if (run.started_at) out.line(`  duration  ${durationBetween(run.started_at, run.completed_at)}`);
  if (run.error_message) out.line(`  error     ${c.red(run.error_message)}`);
  const steps = run.steps ?? [];
  if (steps.length > 0) {
    out.line();
    out.line(
      formatTable([
        ["STEP", "PHASE", "STATUS", "DURATION"].map((h) => c.bold(h)),
        ...steps.map((step) => [
          step.step_id,
          step.phase,
          paintStatus(out, step.status),
          durationBetween(step.started_at, step.completed_at),
        ]),
      ])
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n"),
    );
  }
  if (run.status === "completed" && run.result !== undefined && run.result !== null) {
    out.line();
    out.line(`  result    ${summarizeResult(run.result)}`);
  }
}
