import {
  Ban,
  CheckCheck,
  Clock,
  ExternalLink,
  GitPullRequest,
  Layers,
  Pause,
  Play,
  RotateCcw,
  Zap,
} from "lucide-react";
import { Tabs } from "radix-ui";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useArtifacts, useComments, useRunDiff, useRunUsage } from "../api/queries";
import type { Run, RunStep } from "../api/types";
import { runCardFacts } from "../board/runCardFacts";
import { RunDependenciesPanel } from "../dependencies/RunDependenciesPanel";
import { ReviewPanel } from "../review/ReviewPanel";
import { Button } from "../ui/Button";
import { elapsedBetween, formatDuration, formatUsd } from "../ui/formatDuration";
import { StatusBadge } from "../ui/StatusBadge";
import { useNow } from "../ui/useNow";
import { ArtifactGallery } from "./ArtifactGallery";
import { availableActions } from "./availableActions";
import { CommentThread } from "./CommentThread";
import { PreviewControl } from "./PreviewControl";
import { RewindDialog } from "./RewindDialog";
import { StepFileView } from "./StepFileView";
import { StepLogView } from "./StepLogView";
import { useRunActions } from "./useRunActions";

const RUN_SCOPE = "__run";

/** Everything about one run: its actions, its steps by phase, and per step the log, files, comments and attachments. */
export function RunView({ run, inDrawer = false }: { run: Run; inDrawer?: boolean }) {
  const now = useNow();
  const { perform } = useRunActions();
  const [rewindPhase, setRewindPhase] = useState<string | null>(null);
  const steps = run.steps ?? [];
  const facts = runCardFacts(run);
  const [selected, setSelected] = useState<string | null>(null);
  const selectedId = selected ?? facts.current?.id ?? RUN_SCOPE;
  const step = steps.find((s) => s.id === selectedId);
  const comments = useComments(run.id);
  const usage = useRunUsage(run.id);
  const costOf = new Map(usage.data?.steps.map((u) => [u.step_id, u.cost_usd]) ?? []);
  const artifacts = useArtifacts(
    run.id,
    steps.map((s) => s.id),
  );
  const phases = run.workflow_definition?.phases ?? [...new Set(steps.map((s) => s.phase))];
  const byPhase = useMemo(() => groupByPhase(steps, phases), [steps, phases]);
  const allowed = availableActions(run);
  const reached =
    run.status === "completed"
      ? phases
      : phases.slice(0, phases.indexOf(run.current_phase ?? "") + 1);
  const stepArtifacts = (artifacts.data ?? []).filter(
    (a) => !step || a.workflow_run_step_id === step.id,
  );
  const elapsed = elapsedBetween(run.started_at, run.completed_at, now);
  // A run with a worktree of its own has a diff to review.
  const reviewable = Boolean(run.workspace_branch && !run.archived_at);
  const diff = useRunDiff(run.id, reviewable);
  const [view, setView] = useState<"steps" | "review">("steps");

  const stepsView = () => (
    <div className="flex min-h-0 flex-1 flex-col overflow-y-auto md:flex-row md:overflow-visible">
      <nav
        aria-label="Steps"
        className="max-h-60 w-full shrink-0 overflow-y-auto border-b border-line p-3 md:max-h-none md:w-64 md:border-r md:border-b-0"
      >
        <button
          type="button"
          aria-current={selectedId === RUN_SCOPE}
          onClick={() => setSelected(RUN_SCOPE)}
          className={`mb-2 flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm ${
            selectedId === RUN_SCOPE ? "bg-accent-soft font-medium text-accent" : "hover:bg-sunken"
          }`}
        >
          Whole run
          <span className="ml-auto text-[11px] text-faint tabular-nums">
            {comments.data?.filter((c) => !c.workflow_run_step_id).length ?? 0}
          </span>
        </button>
        {byPhase.map(({ phase, steps: inPhase }) => (
          <div key={phase} className="mb-3">
            <h2 className="mb-1 flex items-center gap-1.5 px-2 text-[11px] font-semibold tracking-wide text-faint uppercase">
              {phase}
              {phase === run.current_phase ? (
                <span className="size-1.5 rounded-full bg-accent" title="Current phase">
                  <span className="sr-only">(current phase)</span>
                </span>
              ) : null}
              {usage.data?.by_phase[phase]?.agent_steps ? (
                <span className="ml-auto font-normal tabular-nums" data-phase-cost={phase}>
                  {formatUsd(usage.data.by_phase[phase]?.cost_usd ?? 0)}
                </span>
              ) : null}
            </h2>
            {inPhase.length === 0 ? <p className="px-2 text-xs text-faint">Not reached</p> : null}
            <ul>
              {inPhase.map((s) => (
                <li key={s.id}>
                  <button
                    type="button"
                    aria-current={selectedId === s.id}
                    onClick={() => setSelected(s.id)}
                    className={`flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-[13px] ${
                      selectedId === s.id ? "bg-accent-soft text-accent" : "hover:bg-sunken"
                    }`}
                  >
                    <StatusBadge status={s.status} compact />
                    <span className="min-w-0 flex-1 truncate">{s.name}</span>
                    <span className="text-[11px] text-faint tabular-nums">
                      {s.attempt && s.attempt > 1 ? `×${s.attempt} ` : ""}
                      {costOf.has(s.id) ? `${formatUsd(costOf.get(s.id) ?? 0)} · ` : ""}
                      {s.started_at
                        ? formatDuration(elapsedBetween(s.started_at, s.completed_at, now) ?? 0)
                        : ""}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className="min-w-0 flex-1 p-4 md:overflow-y-auto md:p-5">
        {step ? (
          <div className="mb-6">
            <div className="mb-3 flex items-center gap-2">
              <h2 className="text-base font-semibold">{step.name}</h2>
              <StatusBadge status={step.status} />
              {step.type ? (
                <span className="rounded bg-sunken px-1.5 py-0.5 text-[11px] text-muted">
                  {step.type}
                </span>
              ) : null}
              {step.attempt && step.attempt > 1 ? (
                <span className="text-xs text-muted">attempt {step.attempt}</span>
              ) : null}
              {step.session?.agent ? (
                <span className="text-xs text-muted">· {step.session.agent}</span>
              ) : null}
            </div>
            {step.error_message ? (
              <p
                role="alert"
                className="mb-3 rounded-md bg-red-50 px-3 py-2 font-mono text-xs text-red-800 dark:bg-red-950 dark:text-red-200"
              >
                {step.error_message}
              </p>
            ) : null}
            <Tabs.Root defaultValue="log" key={step.id}>
              <Tabs.List aria-label="Step details" className="mb-3 flex gap-1 border-b border-line">
                {(["log", "input", "output", "summary"] as const).map((tab) => (
                  <Tabs.Trigger
                    key={tab}
                    value={tab}
                    className="-mb-px border-b-2 border-transparent px-3 py-1.5 text-sm text-muted capitalize data-[state=active]:border-accent data-[state=active]:font-medium data-[state=active]:text-ink"
                  >
                    {tab}
                  </Tabs.Trigger>
                ))}
              </Tabs.List>
              <Tabs.Content value="log">
                <StepLogView step={step} />
              </Tabs.Content>
              <Tabs.Content value="input">
                <StepFileView step={step} type="input" />
              </Tabs.Content>
              <Tabs.Content value="output">
                <StepFileView step={step} type="output" />
              </Tabs.Content>
              <Tabs.Content value="summary">
                <StepFileView step={step} type="summary" />
              </Tabs.Content>
            </Tabs.Root>
          </div>
        ) : (
          <p className="mb-6 text-sm text-muted">
            {steps.length === 0
              ? "No step has started yet: the run is waiting for its turn."
              : "Comments and attachments for the whole run. Pick a step on the left for its log and files."}
          </p>
        )}
        <div className="grid grid-cols-1 gap-6 2xl:grid-cols-2">
          <CommentThread
            run={run}
            stepId={step?.id}
            comments={comments.data ?? []}
            artifacts={stepArtifacts}
          />
          <ArtifactGallery
            runId={run.id}
            stepId={step?.id ?? facts.current?.id ?? steps[steps.length - 1]?.id}
            artifacts={stepArtifacts}
          />
        </div>
      </div>
    </div>
  );

  return (
    <div className="flex h-full min-h-0 flex-col" data-run-view={run.id}>
      <div
        className={`shrink-0 border-b border-line pt-4 pb-3 pl-5 ${inDrawer ? "pr-12" : "pr-5"}`}
      >
        <div className="flex items-start gap-3">
          <div className="min-w-0 flex-1">
            <h1 className="truncate text-lg font-semibold tracking-tight">{run.name}</h1>
            <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-muted">
              <StatusBadge status={run.status} />
              {run.workflow_definition?.name ? (
                <span className="inline-flex items-center gap-1">
                  <Layers aria-hidden className="size-3" /> {run.workflow_definition.name}
                </span>
              ) : null}
              {run.current_phase ? (
                <span className="capitalize">Phase: {run.current_phase}</span>
              ) : null}
              {elapsed !== undefined ? (
                <span className="inline-flex items-center gap-1 tabular-nums">
                  <Clock aria-hidden className="size-3" /> {formatDuration(elapsed)}
                </span>
              ) : null}
              {usage.data && usage.data.total.agent_steps > 0 ? (
                <span
                  className="tabular-nums"
                  title={`${usage.data.total.input_tokens} input, ${usage.data.total.output_tokens} output, ${usage.data.total.cached_tokens} cached tokens`}
                  data-run-cost
                >
                  {formatUsd(usage.data.total.cost_usd)}
                  {usage.data.budget?.usd ? ` of ${formatUsd(usage.data.budget.usd)}` : ""} ·{" "}
                  {(
                    usage.data.total.input_tokens + usage.data.total.output_tokens
                  ).toLocaleString()}{" "}
                  tokens
                </span>
              ) : null}
            </div>
          </div>
          {inDrawer ? (
            <Link
              to={`/runs/${run.id}?project=${run.project_id}`}
              className="inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs text-muted hover:bg-sunken hover:text-ink"
            >
              <ExternalLink aria-hidden className="size-3.5" /> Full page
            </Link>
          ) : null}
        </div>
        <div className="mt-2 empty:hidden">
          <PreviewControl run={run} withLog />
        </div>
        {run.error_message ? (
          <p
            role="alert"
            className="mt-2 rounded-md bg-red-50 px-3 py-2 font-mono text-xs text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {run.error_message}
          </p>
        ) : null}
        <RunDependenciesPanel run={run} />
        <div
          className="mt-3 flex flex-wrap items-center gap-1.5"
          role="toolbar"
          aria-label="Run actions"
        >
          {(allowed.approve || facts.agentApproval) && facts.waitingStep ? (
            <Button
              size="sm"
              variant="primary"
              onClick={() =>
                perform(run, { kind: "approve", stepKey: facts.waitingStep?.step_id ?? "" })
              }
            >
              <CheckCheck aria-hidden className="size-3.5" /> Approve
            </Button>
          ) : null}
          <Button
            size="sm"
            disabled={!allowed.pause}
            onClick={() => perform(run, { kind: "pause" })}
          >
            <Pause aria-hidden className="size-3.5" /> Pause
          </Button>
          <Button
            size="sm"
            disabled={!allowed.pause}
            onClick={() => perform(run, { kind: "pause", now: true })}
          >
            <Zap aria-hidden className="size-3.5" /> Pause now
          </Button>
          <Button
            size="sm"
            disabled={!allowed.resume}
            onClick={() => perform(run, { kind: "resume" })}
          >
            <Play aria-hidden className="size-3.5" />{" "}
            {run.status === "blocked" ? "Start anyway" : "Resume"}
          </Button>
          <label className="sr-only" htmlFor={`rewind-${run.id}`}>
            Rewind to phase
          </label>
          <div className="relative inline-flex items-center">
            <RotateCcw
              aria-hidden
              className="pointer-events-none absolute left-2 size-3.5 text-muted"
            />
            <select
              id={`rewind-${run.id}`}
              className="h-7 rounded-md border border-line-strong bg-surface pr-2 pl-7 text-xs font-medium disabled:opacity-50"
              disabled={!allowed.rewind || reached.length === 0}
              value=""
              onChange={(event) => event.target.value && setRewindPhase(event.target.value)}
            >
              <option value="">Rewind to…</option>
              {reached.map((phase) => (
                <option key={phase} value={phase}>
                  {phase}
                </option>
              ))}
            </select>
          </div>
          <Button
            size="sm"
            variant="ghost"
            className="text-danger"
            disabled={!allowed.cancel}
            onClick={() => perform(run, { kind: "cancel" })}
          >
            <Ban aria-hidden className="size-3.5" /> Cancel
          </Button>
        </div>
      </div>
      {reviewable ? (
        <Tabs.Root
          value={view}
          onValueChange={(value) => setView(value as "steps" | "review")}
          className="flex min-h-0 flex-1 flex-col"
        >
          <Tabs.List
            aria-label="Run views"
            className="flex shrink-0 gap-1 border-b border-line px-5"
          >
            <Tabs.Trigger
              value="steps"
              className="-mb-px border-b-2 border-transparent px-3 py-1.5 text-sm text-muted data-[state=active]:border-accent data-[state=active]:font-medium data-[state=active]:text-ink"
            >
              Steps
            </Tabs.Trigger>
            <Tabs.Trigger
              value="review"
              className="-mb-px inline-flex items-center gap-1.5 border-b-2 border-transparent px-3 py-1.5 text-sm text-muted data-[state=active]:border-accent data-[state=active]:font-medium data-[state=active]:text-ink"
            >
              <GitPullRequest aria-hidden className="size-3.5" /> Review
              {diff.data ? (
                <span className="rounded-full bg-sunken px-1.5 text-[11px] tabular-nums">
                  {diff.data.files.length}
                </span>
              ) : null}
            </Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content value="steps" className="flex min-h-0 flex-1 data-[state=inactive]:hidden">
            {stepsView()}
          </Tabs.Content>
          <Tabs.Content
            value="review"
            className="flex min-h-0 flex-1 flex-col data-[state=inactive]:hidden"
          >
            <ReviewPanel run={run} />
          </Tabs.Content>
        </Tabs.Root>
      ) : (
        stepsView()
      )}
      {rewindPhase ? (
        <RewindDialog
          run={run}
          phase={rewindPhase}
          onCancel={() => setRewindPhase(null)}
          onConfirm={() => {
            perform(run, { kind: "rewind", phase: rewindPhase });
            setRewindPhase(null);
          }}
        />
      ) : null}
    </div>
  );
}

function groupByPhase(steps: RunStep[], phases: readonly string[]) {
  const ordered = [...steps].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  const known = phases.map((phase) => ({ phase, steps: ordered.filter((s) => s.phase === phase) }));
  const other = ordered.filter((s) => !phases.includes(s.phase));
  return other.length ? [...known, { phase: "other", steps: other }] : known;
}
