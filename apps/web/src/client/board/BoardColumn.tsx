import { useDroppable } from "@dnd-kit/core";
import { SortableContext, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { Run } from "../api/types";
import type { LinkRole, RunLinks } from "../dependencies/runLinks";
import { RunActionsMenu } from "../run/RunActionsMenu";
import type { RunAction } from "../run/useRunActions";
import { formatUsd } from "../ui/formatDuration";
import { LINK_DROP_PREFIX } from "./boardCollision";
import type { BoardColumn as Column } from "./boardColumns";
import { RunCard } from "./RunCard";
import type { RunFamily } from "./runFamilies";

interface CardProps {
  phases: readonly string[];
  templateStepCount: number | undefined;
  onOpen(run: Run): void;
  onAction(run: Run, action: RunAction): void;
  onRewind(run: Run, phase: string): void;
  familyOf?(run: Run): RunFamily | undefined;
  onOpenRelated?(target: { workflowDefinitionId: string; runId?: string }): void;
  linksOf?(run: Run): RunLinks | undefined;
  linkRoleOf?(run: Run): LinkRole | undefined;
  /** The card a dragged card would be linked to if dropped now. */
  linkTargetId?: string | null;
  /** A card is hovered or focused (null: none), so the board marks its links. */
  onFocusRun?(runId: string | null): void;
  onStartAfter?(run: Run): void;
}

/**
 * One column. Only the cards in view are mounted (a column may hold hundreds), and each
 * is sortable by mouse, touch or keyboard (space to lift, arrows to move, space to drop).
 */
export function BoardColumn({
  column,
  isDropTarget,
  emptyHint,
  costUsd,
  ...cardProps
}: CardProps & {
  column: Column;
  isDropTarget: boolean;
  emptyHint?: React.ReactNode;
  /** What the agent steps of the column's runs cost. */
  costUsd?: number | undefined;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { setNodeRef } = useDroppable({ id: column.id, data: { columnId: column.id } });
  const virtualizer = useVirtualizer({
    count: column.runs.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 128,
    overscan: 6,
    gap: 8,
    getItemKey: (index) => column.runs[index]?.id ?? index,
  });
  const titleId = `column-${column.id}`;
  return (
    <section
      aria-labelledby={titleId}
      data-column={column.id}
      data-drop-target={isDropTarget || undefined}
      className={`flex h-full w-[296px] shrink-0 flex-col rounded-xl border transition-colors ${
        isDropTarget ? "border-accent bg-accent-soft" : "border-transparent bg-sunken/70"
      }`}
    >
      <header className="flex items-center gap-2 px-3 pt-3 pb-2">
        <h2 id={titleId} className="text-[13px] font-semibold capitalize">
          {column.title}
        </h2>
        <span className="rounded-full bg-surface px-1.5 text-[11px] font-medium text-muted tabular-nums">
          {column.runs.length}
        </span>
        {costUsd ? (
          <span
            className="ml-auto text-[11px] text-faint tabular-nums"
            title="What the agent steps of this column's runs cost"
            data-column-cost
          >
            {formatUsd(costUsd)}
          </span>
        ) : null}
      </header>
      <div ref={setNodeRef} className="min-h-0 flex-1">
        <div ref={scrollRef} className="h-full overflow-y-auto px-2 pb-3">
          <SortableContext
            id={column.id}
            items={column.runs.map((r) => r.id)}
            strategy={verticalListSortingStrategy}
          >
            {column.runs.length === 0 ? (
              <div className="grid h-24 place-items-center rounded-lg border border-dashed border-line-strong px-4 text-center text-xs text-faint">
                {emptyHint ?? "No runs here"}
              </div>
            ) : (
              <ul
                aria-label={`${column.title} runs`}
                className="relative"
                style={{ height: virtualizer.getTotalSize() }}
              >
                {virtualizer.getVirtualItems().map((item) => {
                  const run = column.runs[item.index];
                  if (!run) return null;
                  return (
                    <li
                      key={item.key}
                      data-index={item.index}
                      ref={virtualizer.measureElement}
                      className="absolute top-0 left-0 w-full"
                      style={{ transform: `translateY(${item.start}px)` }}
                    >
                      <SortableRunCard run={run} columnId={column.id} {...cardProps} />
                    </li>
                  );
                })}
              </ul>
            )}
          </SortableContext>
        </div>
      </div>
    </section>
  );
}

function SortableRunCard({
  run,
  columnId,
  phases,
  templateStepCount,
  onOpen,
  onAction,
  onRewind,
  familyOf,
  onOpenRelated,
  linksOf,
  linkRoleOf,
  linkTargetId,
  onFocusRun,
  onStartAfter,
}: CardProps & { run: Run; columnId: string }) {
  // The middle of a card is a second drop target: a card dropped there starts after this
  // one. Its edges stay the column's, so a drop near them still reorders or moves phase.
  const linkZone = useDroppable({ id: `${LINK_DROP_PREFIX}${run.id}`, data: { linkTo: run.id } });
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: run.id,
    data: { columnId },
    // A group, not a button: the card holds its own menu button, and a button may not
    // contain another control.
    attributes: { role: "group", roleDescription: "draggable run card" },
  });
  return (
    // dnd-kit gives this element its role, tabIndex and keyboard handling (attributes/listeners).
    // biome-ignore lint/a11y/noStaticElementInteractions: see above
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: see above
    <div
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      aria-label={`${run.name}. Press Enter to open, Space to move.`}
      className={`relative cursor-grab rounded-lg active:cursor-grabbing ${isDragging ? "opacity-40" : ""}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      onClick={() => onOpen(run)}
      onPointerEnter={() => onFocusRun?.(run.id)}
      onPointerLeave={() => onFocusRun?.(null)}
      onFocus={() => onFocusRun?.(run.id)}
      onBlur={() => onFocusRun?.(null)}
      onKeyDown={(event) => {
        if (event.key === "Enter") onOpen(run);
        listeners?.onKeyDown?.(event);
      }}
    >
      <div
        ref={linkZone.setNodeRef}
        aria-hidden
        className="pointer-events-none absolute inset-x-3 top-1/4 bottom-1/4"
      />
      <RunCard
        run={run}
        templateStepCount={templateStepCount}
        family={familyOf?.(run)}
        onOpenRelated={onOpenRelated}
        links={linksOf?.(run)}
        linkRole={linkRoleOf?.(run)}
        linkTarget={linkTargetId === run.id}
        menu={
          <RunActionsMenu
            run={run}
            phases={phases}
            onAction={(action) => onAction(run, action)}
            onRewind={(phase) => onRewind(run, phase)}
            onOpen={() => onOpen(run)}
            onStartAfter={onStartAfter ? () => onStartAfter(run) : undefined}
          />
        }
      />
    </div>
  );
}
