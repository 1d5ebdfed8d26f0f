import { AlertTriangle, ArrowRight, ChevronDown, FileCode2, Play } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { useDefinition, useDefinitions, useProjectAgents } from "../api/queries";
import type { WorkflowDefinition } from "../api/types";
import { useNewRun } from "../ui/AppShell";
import { Button } from "../ui/Button";
import { Skeleton } from "../ui/Skeleton";
import { StatusBadge } from "../ui/StatusBadge";
import { useProjectSelection } from "../ui/useProjectSelection";
import { AgentsSection } from "./AgentsSection";
import { EmptyTemplates } from "./EmptyTemplates";
import { templateError } from "./templateError";

/** Every template of the project: its phases, its steps, its source, and what is wrong with it. */
export function TemplatesPage() {
  const { project } = useProjectSelection();
  const definitions = useDefinitions(project?.id);
  const agents = useProjectAgents(project?.id);
  if (!project || definitions.isLoading) {
    return (
      <div className="mx-auto flex max-w-5xl flex-col gap-3 p-6" aria-busy="true">
        <Skeleton className="h-6 w-40" />
        <Skeleton className="h-32 w-full" />
        <Skeleton className="h-32 w-full" />
      </div>
    );
  }
  const list = definitions.data ?? [];
  if (list.length === 0) return <EmptyTemplates project={project} />;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-5xl p-6">
        <h1 className="text-xl font-semibold tracking-tight">Templates</h1>
        <p className="mt-1 mb-5 text-sm text-muted">
          From{" "}
          <code className="font-mono text-[12px]">
            {project.path}/.agent/workflows/definitions/
          </code>
        </p>
        <ul className="flex flex-col gap-3">
          {list.map((definition) => (
            <li key={definition.id}>
              <TemplateCard definition={definition} />
            </li>
          ))}
        </ul>
        {agents.data?.length ? <AgentsSection agents={agents.data} /> : null}
      </div>
    </div>
  );
}

function TemplateCard({ definition }: { definition: WorkflowDefinition }) {
  const newRun = useNewRun();
  const [showSource, setShowSource] = useState(false);
  const error = templateError(definition);
  const detail = useDefinition(showSource && !definition.source ? definition.id : undefined);
  const source = definition.source ?? detail.data?.source;
  const steps = definition.steps ?? [];
  return (
    <article
      aria-label={definition.name}
      className={`rounded-xl border bg-surface p-4 ${error ? "border-red-300 dark:border-red-900" : "border-line"}`}
    >
      <div className="flex items-start gap-3">
        <div className="grid size-9 shrink-0 place-items-center rounded-lg bg-sunken text-muted">
          <FileCode2 aria-hidden className="size-4" />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h2 className="text-[15px] font-semibold">{definition.name}</h2>
            <span className="rounded bg-sunken px-1.5 py-0.5 text-[10px] font-semibold tracking-wide text-muted uppercase">
              {definition.type}
            </span>
          </div>
          <p className="truncate font-mono text-xs text-faint">{definition.path}</p>
          {definition.last_build ? (
            <p className="mt-1 flex items-center gap-1.5 text-xs text-muted" data-last-build>
              Built by{" "}
              <Link
                to={`/runs/${definition.last_build.run_id}`}
                className="font-medium text-accent underline-offset-2 hover:underline"
              >
                Build Workflow
              </Link>
              <StatusBadge status={definition.last_build.status} compact />
            </p>
          ) : null}
          {definition.description ? (
            <p className="mt-1.5 text-sm text-muted">{definition.description}</p>
          ) : null}
        </div>
        <Button
          variant="primary"
          disabled={Boolean(error)}
          onClick={() => newRun.open(definition.id)}
          aria-label={`Run ${definition.name}`}
        >
          <Play aria-hidden className="size-3.5" /> Run
        </Button>
      </div>
      {error ? (
        <div
          role="alert"
          className="mt-3 flex gap-2 rounded-lg bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
          <pre className="font-mono text-xs whitespace-pre-wrap">{error}</pre>
        </div>
      ) : null}
      {definition.phases.length ? (
        <ol aria-label="Phases" className="mt-4 flex flex-wrap items-start gap-2">
          {definition.phases.map((phase, index) => {
            const inPhase = steps.filter((s) => s.phase === phase);
            return (
              <li key={phase} className="flex items-start gap-2">
                <div className="min-w-36 rounded-lg border border-line bg-canvas p-2.5">
                  <p className="text-xs font-semibold capitalize">{phase}</p>
                  {inPhase.length ? (
                    <ul className="mt-1.5 space-y-1">
                      {inPhase.map((step) => (
                        <li key={step.id} className="flex items-center gap-1.5 text-xs text-muted">
                          <span className="rounded bg-sunken px-1 text-[10px] text-muted">
                            {step.type ?? "step"}
                          </span>
                          {step.name ?? step.id}
                        </li>
                      ))}
                    </ul>
                  ) : definition.type === "code" ? (
                    // A TypeScript template decides its steps as it runs.
                    <p className="mt-1 text-[11px] text-faint">Steps set by code</p>
                  ) : definition.steps ? (
                    <p className="mt-1 text-[11px] text-faint">No steps</p>
                  ) : null}
                </div>
                {index < definition.phases.length - 1 ? (
                  <ArrowRight aria-hidden className="mt-3 size-3.5 text-faint" />
                ) : null}
              </li>
            );
          })}
        </ol>
      ) : null}
      <button
        type="button"
        className="mt-3 inline-flex items-center gap-1 text-xs font-medium text-muted hover:text-ink"
        aria-expanded={showSource}
        onClick={() => setShowSource((v) => !v)}
      >
        <ChevronDown
          aria-hidden
          className={`size-3.5 transition-transform ${showSource ? "" : "-rotate-90"}`}
        />
        Source
      </button>
      {showSource ? (
        <pre
          className="mt-2 max-h-96 overflow-auto rounded-lg bg-sunken p-3 font-mono text-[12px] leading-relaxed"
          // Scrollable, so it must be reachable from the keyboard.
          // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
          tabIndex={0}
        >
          {source ??
            (detail.isLoading ? "Loading…" : "The server did not send this template's source.")}
        </pre>
      ) : null}
    </article>
  );
}
