import type { Run, RunStep } from "../api/types";

/** What a card shows, derived from the run row and its steps. */
export function runCardFacts(run: Run, templateStepCount?: number) {
  const steps = run.steps ?? [];
  const current: RunStep | undefined =
    steps.find((s) => s.status === "running" || s.status === "waiting") ??
    [...steps].reverse().find((s) => s.status !== "pending");
  const reached = Math.max(run._count?.steps ?? 0, steps.length);
  // The run list carries step counts, not steps; events fill `steps` in as they start.
  const complete = steps.length >= reached;
  const done = complete
    ? steps.filter((s) => s.status === "completed" || s.status === "skipped").length
    : run.status === "completed"
      ? reached
      : Math.max(0, reached - 1);
  const total = Math.max(templateStepCount ?? 0, reached);
  const agent =
    current?.session?.agent ??
    [...steps].reverse().find((s) => s.session?.agent)?.session?.agent ??
    undefined;
  const waitingStep = steps.find((s) => s.status === "waiting");
  // A step of a running run that waits is an agent asking for an approval (request_approval):
  // the run does not wait, its step does, and the same Approve decides it.
  const agentApproval = run.status === "running" ? waitingStep : undefined;
  return {
    current,
    done,
    total,
    agent,
    waitingStep,
    agentApproval,
    published: publishedState(run.state),
    comments: run._count?.comments ?? 0,
    artifacts: run._count?.artifacts ?? 0,
    costUsd: run.cost_usd ?? 0,
    tokens: run.tokens ?? 0,
  };
}

/** A run's published state (`ctx.setState`) as a short line, or undefined. */
function publishedState(state: Run["state"]): string | undefined {
  if (!state || typeof state !== "object") return undefined;
  const entries = Object.entries(state).filter(
    ([, value]) =>
      typeof value === "string" || typeof value === "number" || typeof value === "boolean",
  );
  if (entries.length === 0) return undefined;
  return entries
    .slice(0, 2)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(" · ");
}
