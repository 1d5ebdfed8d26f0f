import {
  DndContext,
  type DragEndEvent,
  type DragOverEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { arrayMove } from "@dnd-kit/sortable";
import { Plus } from "lucide-react";
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { toast } from "sonner";
import { useDefinitions, useProjectUsage, useRuns } from "../api/queries";
import type { Run } from "../api/types";
import { DependencyArrows } from "../dependencies/DependencyArrows";
import { linkRoles, runLinks } from "../dependencies/runLinks";
import { StartAfterDialog } from "../dependencies/StartAfterDialog";
import { useLinkRun } from "../dependencies/useLinkRun";
import { RewindDialog } from "../run/RewindDialog";
import { type RunAction, useRunActions } from "../run/useRunActions";
import { EmptyTemplates } from "../templates/EmptyTemplates";
import { templateError } from "../templates/templateError";
import { useNewRun } from "../ui/AppShell";
import { Button } from "../ui/Button";
import { formatUsd } from "../ui/formatDuration";
import { Skeleton } from "../ui/Skeleton";
import { useProjectSelection } from "../ui/useProjectSelection";
import { BoardColumn } from "./BoardColumn";
import { boardCollision, linkTargetOf } from "./boardCollision";
import { buildBoardColumns, QUEUED } from "./boardColumns";
import { boardKeyboardCoordinates } from "./boardKeyboardCoordinates";
import { dropRule } from "./dropRule";
import { positionBetween } from "./positionBetween";
import { RunCard } from "./RunCard";
import { runFamilies } from "./runFamilies";

const RunDrawer = lazy(() => import("../run/RunDrawer").then((m) => ({ default: m.RunDrawer })));

export function BoardPage() {
  const { project, projects } = useProjectSelection();
  const definitions = useDefinitions(project?.id);
  const runs = useRuns(project?.id);
  const [params, setParams] = useSearchParams();
  const newRun = useNewRun();
  const { perform } = useRunActions();
  const [rewind, setRewind] = useState<{ run: Run; phase: string } | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [overColumn, setOverColumn] = useState<string | null>(null);
  const [overLink, setOverLink] = useState<string | null>(null);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [startAfter, setStartAfter] = useState<Run | null>(null);
  const { link } = useLinkRun();
  const boardRef = useRef<HTMLDivElement>(null);

  const templates = definitions.data ?? [];
  const runsByTemplate = useMemo(() => {
    const counts = new Map<string, number>();
    for (const run of runs.data ?? [])
      counts.set(run.workflow_definition_id, (counts.get(run.workflow_definition_id) ?? 0) + 1);
    return counts;
  }, [runs.data]);
  const template =
    templates.find((t) => t.id === params.get("template")) ??
    [...templates].sort(
      (a, b) => (runsByTemplate.get(b.id) ?? 0) - (runsByTemplate.get(a.id) ?? 0),
    )[0];
  const phases = template?.phases ?? [];
  // The header's New run starts on the template whose board is shown.
  const { showing } = newRun;
  useEffect(() => {
    showing(template?.id);
    return () => showing(undefined);
  }, [showing, template?.id]);
  const usage = useProjectUsage(project?.id, template?.id);
  const templateRuns = useMemo(
    () => (runs.data ?? []).filter((run) => run.workflow_definition_id === template?.id),
    [runs.data, template?.id],
  );
  const columns = useMemo(() => buildBoardColumns(templateRuns, phases), [templateRuns, phases]);
  const families = useMemo(() => runFamilies(runs.data ?? []), [runs.data]);
  const links = useMemo(() => runLinks(runs.data ?? []), [runs.data]);
  // While a card is dragged, its links are not what the board should be showing.
  const shownFocus = activeId ? null : focusedId;
  const roles = useMemo(() => linkRoles(shownFocus, links), [shownFocus, links]);
  const columnOfRun = useMemo(() => {
    const map = new Map<string, string>();
    for (const column of columns) for (const run of column.runs) map.set(run.id, column.id);
    return map;
  }, [columns]);

  const sensors = useSensors(
    // A small distance so a click opens the card instead of starting a drag.
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: boardKeyboardCoordinates }),
  );

  const openRun = (run: Run) => {
    const next = new URLSearchParams(params);
    next.set("run", run.id);
    setParams(next);
  };
  const closeRun = () => {
    const next = new URLSearchParams(params);
    next.delete("run");
    setParams(next);
  };
  const selectTemplate = (id: string) => {
    const next = new URLSearchParams(params);
    next.set("template", id);
    next.delete("run");
    setParams(next);
  };
  const onAction = (run: Run, action: RunAction) => perform(run, action);
  /** A parent's card, or the board of a run's children (on their own template's board). */
  const openRelated = (target: { workflowDefinitionId: string; runId?: string }) => {
    const next = new URLSearchParams(params);
    next.set("template", target.workflowDefinitionId);
    if (target.runId) next.set("run", target.runId);
    else next.delete("run");
    setParams(next);
  };

  const targetColumn = (overId: string | undefined): string | undefined => {
    if (!overId) return undefined;
    return columnOfRun.get(overId) ?? (columns.some((c) => c.id === overId) ? overId : undefined);
  };

  const onDragStart = (event: DragStartEvent) => setActiveId(String(event.active.id));
  const onDragOver = (event: DragOverEvent) => {
    const overId = event.over ? String(event.over.id) : undefined;
    const linkTo = linkTargetOf(overId);
    setOverLink(linkTo ?? null);
    setOverColumn(linkTo ? null : (targetColumn(overId) ?? null));
  };
  const onDragEnd = (event: DragEndEvent) => {
    setActiveId(null);
    setOverColumn(null);
    setOverLink(null);
    const runId = String(event.active.id);
    const run = templateRuns.find((r) => r.id === runId);
    // A card dropped on another card's middle starts after it; the server checks the rest.
    const linkTo = linkTargetOf(event.over ? String(event.over.id) : undefined);
    if (linkTo) {
      const prerequisite = (runs.data ?? []).find((r) => r.id === linkTo);
      if (run && prerequisite && linkTo !== runId) link(run, [prerequisite]);
      return;
    }
    const from = columnOfRun.get(runId);
    const overId = event.over ? String(event.over.id) : undefined;
    const to = targetColumn(overId);
    if (!run || !from || !to) return;
    const decision = dropRule(run, from, to, phases);
    if (decision.kind === "refuse") {
      toast.warning(decision.reason);
      return;
    }
    if (decision.kind === "rewind") {
      setRewind({ run, phase: decision.phase });
      return;
    }
    if (decision.kind !== "reorder" || !overId || overId === runId) return;
    const list = columns.find((c) => c.id === from)?.runs ?? [];
    const oldIndex = list.findIndex((r) => r.id === runId);
    const newIndex = overId === from ? list.length - 1 : list.findIndex((r) => r.id === overId);
    if (newIndex < 0 || oldIndex === newIndex) return;
    const moved = arrayMove(list, oldIndex, newIndex);
    const above = moved[newIndex - 1];
    const below = moved[newIndex + 1];
    perform(run, {
      kind: "move",
      position: positionBetween(above?.position, below?.position),
      afterId: above?.id ?? null,
      beforeId: below?.id ?? null,
    });
  };

  const activeRun = activeId ? templateRuns.find((r) => r.id === activeId) : undefined;
  const selectedRunId = params.get("run");

  if (projects.isLoading || definitions.isLoading || (project && runs.isLoading)) {
    return <BoardSkeleton />;
  }
  if (projects.isError || definitions.isError || runs.isError) {
    const error = projects.error ?? definitions.error ?? runs.error;
    return (
      <div className="p-8">
        <div
          role="alert"
          className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          Could not load the board: {error?.message}
        </div>
      </div>
    );
  }
  if (!project) {
    return (
      <div className="p-8 text-sm text-muted">
        No project is registered yet. Start Phaseboard from inside a repository (or set
        PHASEBOARD_PROJECT) and it appears here.
      </div>
    );
  }
  if (templates.length === 0) return <EmptyTemplates project={project} />;

  return (
    <div className="flex h-full flex-col">
      <h1 className="sr-only">Board: {template?.name ?? project.name}</h1>
      <div className="flex shrink-0 items-center gap-3 border-b border-line bg-surface/60 px-5 py-2.5">
        <div
          role="tablist"
          aria-label="Templates"
          className="flex min-w-0 flex-1 items-center gap-1 overflow-x-auto"
        >
          {templates.map((t) => {
            const selected = t.id === template?.id;
            const broken = Boolean(templateError(t));
            return (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={selected}
                onClick={() => selectTemplate(t.id)}
                className={`inline-flex shrink-0 items-center gap-1.5 rounded-md px-2.5 py-1 text-sm transition-colors ${
                  selected
                    ? "bg-accent-soft font-medium text-accent"
                    : "text-muted hover:bg-sunken hover:text-ink"
                }`}
              >
                {t.name}
                {broken ? (
                  <span className="size-1.5 rounded-full bg-red-500" title="Has an error" />
                ) : null}
                <span className="text-[11px] tabular-nums">{runsByTemplate.get(t.id) ?? 0}</span>
              </button>
            );
          })}
        </div>
        {usage.data?.lifetime && (usage.data.lifetime.agent_steps > 0 || usage.data.budget) ? (
          <span
            className="shrink-0 text-xs text-muted tabular-nums"
            title={`All of this project's runs, archived ones too: ${(
              usage.data.lifetime.input_tokens + usage.data.lifetime.output_tokens
            ).toLocaleString()} tokens${usage.data.budget?.tokens ? ` of ${usage.data.budget.tokens.toLocaleString()}` : ""}`}
            data-project-cost
          >
            Project {formatUsd(usage.data.lifetime.cost_usd)}
            {usage.data.budget?.usd ? ` of ${formatUsd(usage.data.budget.usd)}` : ""}
          </span>
        ) : null}
        {template && !templateError(template) ? (
          <Button size="sm" onClick={() => newRun.open(template.id)}>
            <Plus aria-hidden className="size-3.5" /> Run {template.name}
          </Button>
        ) : null}
      </div>
      {project?.runs_in_place ? (
        <p
          className="mx-5 mt-3 rounded-lg border border-line bg-sunken px-3 py-2 text-xs text-muted [overflow-wrap:anywhere]"
          data-runs-in-place
        >
          Runs of this project share its folder ({project.path}): it is {project.runs_in_place}. In
          a git repository with at least one commit, each run gets a worktree and branch of its own.
        </p>
      ) : null}
      {project?.config_error ? (
        <div
          role="alert"
          className="mx-5 mt-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
          data-config-error
        >
          <strong>.agent/phaseboard.yaml</strong> is refused: until it is fixed, new runs cannot set
          up their worktree and no agent step starts.{" "}
          <span className="font-mono text-xs">{project.config_error.message}</span>
        </div>
      ) : null}
      {template && templateError(template) ? (
        <div
          role="alert"
          className="mx-5 mt-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          <strong>{template.path}</strong> does not load: {templateError(template)}
        </div>
      ) : null}
      <DndContext
        sensors={sensors}
        collisionDetection={boardCollision}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          setActiveId(null);
          setOverColumn(null);
          setOverLink(null);
        }}
      >
        <div ref={boardRef} className="relative flex min-h-0 flex-1 gap-3 overflow-x-auto p-4">
          <DependencyArrows
            containerRef={boardRef}
            focusedId={shownFocus}
            links={shownFocus ? links.get(shownFocus) : undefined}
          />
          {columns.map((column) => (
            <BoardColumn
              key={column.id}
              column={column}
              costUsd={usage.data?.by_column[column.id]?.cost_usd}
              isDropTarget={Boolean(activeId) && overColumn === column.id}
              phases={phases}
              templateStepCount={template?.steps?.length}
              onOpen={openRun}
              onAction={onAction}
              onRewind={(run, phase) => setRewind({ run, phase })}
              familyOf={(run) => families.get(run.id)}
              onOpenRelated={openRelated}
              linksOf={(run) => links.get(run.id)}
              linkRoleOf={(run) => roles.get(run.id)}
              linkTargetId={overLink}
              onFocusRun={setFocusedId}
              onStartAfter={setStartAfter}
              emptyHint={
                column.id === QUEUED && templateRuns.length === 0 ? (
                  <span>
                    No runs yet.{" "}
                    <button
                      type="button"
                      className="font-medium text-accent underline-offset-2 hover:underline"
                      onClick={() => newRun.open(template?.id)}
                    >
                      Start one
                    </button>
                  </span>
                ) : undefined
              }
            />
          ))}
        </div>
        <DragOverlay>
          {activeRun ? (
            <RunCard run={activeRun} templateStepCount={template?.steps?.length} dragging />
          ) : null}
        </DragOverlay>
      </DndContext>
      {startAfter ? (
        <StartAfterDialog run={startAfter} onClose={() => setStartAfter(null)} />
      ) : null}
      {rewind ? (
        <RewindDialog
          run={rewind.run}
          phase={rewind.phase}
          onCancel={() => setRewind(null)}
          onConfirm={() => {
            perform(rewind.run, { kind: "rewind", phase: rewind.phase });
            setRewind(null);
          }}
        />
      ) : null}
      {selectedRunId ? (
        <Suspense fallback={null}>
          <RunDrawer runId={selectedRunId} onClose={closeRun} />
        </Suspense>
      ) : null}
    </div>
  );
}

function BoardSkeleton() {
  return (
    <div
      className="flex h-full gap-3 p-4"
      role="status"
      aria-busy="true"
      aria-label="Loading the board"
    >
      {[0, 1, 2, 3, 4].map((column) => (
        <div
          key={column}
          className="flex w-[296px] shrink-0 flex-col gap-2 rounded-xl bg-sunken/70 p-3"
        >
          <Skeleton className="mb-2 h-4 w-24" />
          {[0, 1, 2].slice(0, 3 - (column % 2)).map((card) => (
            <Skeleton key={card} className="h-24 w-full rounded-lg" />
          ))}
        </div>
      ))}
    </div>
  );
}
