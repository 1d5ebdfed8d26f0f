import {
  Bot,
  Clock,
  CornerLeftUp,
  GitFork,
  Link2,
  MessageSquare,
  Paperclip,
  Server,
} from "lucide-react";
import type { Run } from "../api/types";
import type { LinkRole, RunLinks } from "../dependencies/runLinks";
import { PullRequestLinkView } from "../review/PullRequestButton";
import { PreviewControl } from "../run/PreviewControl";
import { elapsedBetween, formatDuration, formatUsd } from "../ui/formatDuration";
import { StatusBadge } from "../ui/StatusBadge";
import { useNow } from "../ui/useNow";
import { runCardFacts } from "./runCardFacts";
import type { RunFamily } from "./runFamilies";

/** A run on the board: what it is, where it is, how far it got, and what people said. */
export function RunCard({
  run,
  templateStepCount,
  menu,
  dragging = false,
  family,
  onOpenRelated,
  links,
  linkRole,
  linkTarget = false,
}: {
  run: Run;
  templateStepCount?: number | undefined;
  /** The runs it waits for and the runs waiting for it. */
  links?: RunLinks | undefined;
  /** How it stands to the card being hovered or focused. */
  linkRole?: LinkRole | undefined;
  /** A dragged card is over it: dropping links them. */
  linkTarget?: boolean;
  menu?: React.ReactNode;
  dragging?: boolean;
  /** Its parent run and child runs, shown as links to their cards. */
  family?: RunFamily | undefined;
  /** Opens a related run's card (`runId`) or, without one, a template's board. */
  onOpenRelated?: ((target: { workflowDefinitionId: string; runId?: string }) => void) | undefined;
}) {
  const now = useNow();
  const facts = runCardFacts(run, templateStepCount);
  const elapsed = elapsedBetween(run.started_at, run.completed_at, now);
  const percent = facts.total ? Math.round((facts.done / facts.total) * 100) : 0;
  return (
    <article
      aria-label={run.name}
      data-run-id={run.id}
      data-status={run.status}
      data-link-role={linkRole}
      data-link-target={linkTarget || undefined}
      className={`group relative rounded-lg border bg-raised p-3 text-left shadow-[0_1px_2px_rgba(0,0,0,0.04)] transition-shadow ${
        dragging
          ? "rotate-1 border-accent shadow-xl"
          : "border-line hover:border-line-strong hover:shadow-md"
      } ${linkTarget ? "ring-2 ring-inset ring-accent" : linkRole ? ROLE_RING[linkRole] : ""}`}
    >
      {linkTarget ? (
        <div className="pointer-events-none absolute inset-0 z-10 grid place-items-center rounded-lg bg-accent-soft/85 text-xs font-semibold text-accent">
          <span className="inline-flex items-center gap-1">
            <Link2 aria-hidden className="size-3.5" /> Drop: start after this run
          </span>
        </div>
      ) : null}
      <div className="flex items-start gap-2">
        <h3 className="line-clamp-2 flex-1 text-[13px] leading-snug font-semibold">{run.name}</h3>
        {menu}
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-1.5">
        <StatusBadge status={run.status} />
        {linkRole && linkRole !== "focus" ? (
          <span
            className={`rounded-full px-1.5 text-[10px] font-semibold ${ROLE_BADGE[linkRole]}`}
            data-link-badge={linkRole}
          >
            {linkRole === "prerequisite" ? "Must finish first" : "Starts after"}
          </span>
        ) : null}
        {facts.current ? (
          <span className="truncate text-xs text-muted" title={facts.current.name}>
            {facts.current.name}
          </span>
        ) : null}
      </div>
      {facts.agentApproval ? (
        <p
          className="mt-2 rounded bg-violet-50 px-1.5 py-1 text-xs text-violet-800 [overflow-wrap:anywhere] dark:bg-violet-950 dark:text-violet-200"
          data-agent-approval
        >
          <span className="font-semibold">Waiting for approval</span>
          {facts.agentApproval.approval_request
            ? `: ${facts.agentApproval.approval_request.message}`
            : null}
        </p>
      ) : null}
      {family ? <FamilyLinks family={family} onOpenRelated={onOpenRelated} /> : null}
      {links && (links.prerequisites.length > 0 || links.dependents.length > 0) ? (
        <DependencyLines run={run} links={links} />
      ) : null}
      {run.pull_request ? (
        <div className="mt-2">
          <PullRequestLinkView pullRequest={run.pull_request} compact />
        </div>
      ) : null}
      {dragging ? null : (
        <div className="mt-2 empty:hidden">
          <PreviewControl run={run} />
        </div>
      )}
      {facts.published ? (
        <p className="mt-2 truncate text-xs text-muted" title={facts.published}>
          {facts.published}
        </p>
      ) : null}
      {facts.total > 0 ? (
        <div className="mt-2.5 flex items-center gap-2">
          <div
            className="h-1.5 flex-1 overflow-hidden rounded-full bg-sunken"
            role="progressbar"
            aria-label="Steps done"
            aria-valuemin={0}
            aria-valuemax={facts.total}
            aria-valuenow={facts.done}
          >
            <div
              className={`h-full rounded-full ${run.status === "failed" ? "bg-red-500" : run.status === "completed" ? "bg-emerald-500" : "bg-accent"}`}
              style={{ width: `${percent}%` }}
            />
          </div>
          <span className="text-[11px] text-faint tabular-nums">
            {facts.done}/{facts.total}
          </span>
        </div>
      ) : null}
      <div className="mt-2.5 flex items-center gap-3 text-[11px] text-faint">
        {elapsed !== undefined ? (
          <span className="inline-flex items-center gap-1 tabular-nums" title="Elapsed">
            <Clock aria-hidden className="size-3" />
            {formatDuration(elapsed)}
          </span>
        ) : null}
        {facts.agent ? (
          <span className="inline-flex items-center gap-1" title="Agent">
            <Bot aria-hidden className="size-3" />
            {facts.agent}
          </span>
        ) : null}
        {run.step_worker ? (
          // Restate backend only: the machine whose worker runs this card's steps.
          <span
            className="inline-flex min-w-0 items-center gap-1"
            title={`Steps run on worker ${run.step_worker}`}
            data-step-worker={run.step_worker}
          >
            <Server aria-hidden className="size-3 shrink-0" />
            <span className="sr-only">Worker:</span>
            <span className="truncate">{run.step_worker}</span>
          </span>
        ) : null}
        <span className="ml-auto inline-flex items-center gap-2.5">
          {facts.costUsd > 0 ? (
            <span
              className="tabular-nums"
              title={`Cost so far: ${formatUsd(facts.costUsd)}, ${facts.tokens.toLocaleString()} tokens`}
              data-cost={facts.costUsd}
            >
              <span className="sr-only">Cost:</span>
              {formatUsd(facts.costUsd)}
            </span>
          ) : null}
          <span
            className="inline-flex items-center gap-1"
            title={`${facts.comments} comments`}
            data-comments={facts.comments}
          >
            <MessageSquare aria-hidden className="size-3" />
            <span className="sr-only">Comments:</span>
            {facts.comments}
          </span>
          <span
            className="inline-flex items-center gap-1"
            title={`${facts.artifacts} attachments`}
            data-artifacts={facts.artifacts}
          >
            <Paperclip aria-hidden className="size-3" />
            <span className="sr-only">Attachments:</span>
            {facts.artifacts}
          </span>
        </span>
      </div>
    </article>
  );
}

const ROLE_RING: Record<LinkRole, string> = {
  focus: "ring-2 ring-inset ring-accent/60",
  prerequisite: "ring-2 ring-inset ring-orange-400",
  dependent: "ring-2 ring-inset ring-sky-400",
};
const ROLE_BADGE: Record<Exclude<LinkRole, "focus">, string> = {
  prerequisite: "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
  dependent: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
};

const ENDED_UNSUCCESSFULLY = new Set(["failed", "cancelled"]);

/**
 * What a card waits for (each prerequisite's name and status) and, when one failed or was
 * cancelled, the server's reason; and how many runs wait for it.
 */
function DependencyLines({ run, links }: { run: Run; links: RunLinks }) {
  const broken = links.prerequisites.some((p) => ENDED_UNSUCCESSFULLY.has(p.status));
  const waiting = run.status === "blocked" || (run.status === "pending" && !run.started_at);
  return (
    <div className="mt-2 flex flex-col gap-1 text-[11px] text-muted" data-dependencies>
      {links.prerequisites.length > 0 ? (
        <div className="flex flex-wrap items-center gap-1" data-waits-for>
          <Link2 aria-hidden className="size-3 shrink-0" />
          <span>{waiting ? "Waits for" : "Started after"}</span>
          {links.prerequisites.map((p) => (
            <span
              key={p.id}
              className="inline-flex max-w-full items-center gap-1 truncate rounded bg-sunken px-1"
              data-prerequisite={p.id}
              data-prerequisite-status={p.status}
              title={`${p.name}: ${STATUS_WORD[p.status] ?? p.status}`}
            >
              <span
                className={`size-1.5 shrink-0 rounded-full ${STATUS_DOT[p.status] ?? "bg-slate-400"}`}
              />
              <span className="truncate">{p.name}</span>
              <span className="sr-only">({STATUS_WORD[p.status] ?? p.status})</span>
            </span>
          ))}
        </div>
      ) : null}
      {broken && run.status === "blocked" && run.error_message ? (
        <p className="text-danger [overflow-wrap:anywhere]" data-blocked-reason>
          {run.error_message}
        </p>
      ) : null}
      {links.dependents.length > 0 ? (
        <span data-unblocks={links.dependents.length}>
          Unblocks {links.dependents.length} {links.dependents.length === 1 ? "run" : "runs"}
        </span>
      ) : null}
    </div>
  );
}

const STATUS_DOT: Partial<Record<string, string>> = {
  completed: "bg-emerald-500",
  running: "bg-blue-500",
  failed: "bg-red-500",
  cancelled: "bg-red-500",
  blocked: "bg-orange-500",
  paused: "bg-amber-500",
  waiting: "bg-violet-500",
};
const STATUS_WORD: Partial<Record<string, string>> = {
  completed: "completed",
  running: "running",
  failed: "failed",
  cancelled: "cancelled",
  blocked: "blocked",
  paused: "paused",
  waiting: "waiting",
  pending: "queued",
};

/** "↑ parent" and "N child runs" links; clicks stay on the link, not the card. */
function FamilyLinks({
  family,
  onOpenRelated,
}: {
  family: RunFamily;
  onOpenRelated?: ((target: { workflowDefinitionId: string; runId?: string }) => void) | undefined;
}) {
  const stop = (event: React.SyntheticEvent) => event.stopPropagation();
  const link =
    "inline-flex max-w-full items-center gap-1 truncate rounded px-1 hover:bg-sunken hover:text-ink";
  const { parent, children } = family;
  return (
    <div className="mt-2 flex flex-wrap items-center gap-2 text-[11px] text-muted">
      {parent ? (
        <button
          type="button"
          className={link}
          data-parent-run={parent.id}
          title={`Started by ${parent.name}`}
          onPointerDown={stop}
          onKeyDown={stop}
          onClick={(event) => {
            stop(event);
            onOpenRelated?.({
              workflowDefinitionId: parent.workflowDefinitionId,
              runId: parent.id,
            });
          }}
        >
          <CornerLeftUp aria-hidden className="size-3" />
          <span className="sr-only">Child of</span>
          <span className="truncate">{parent.name}</span>
        </button>
      ) : null}
      {children.count > 0 ? (
        <button
          type="button"
          className={link}
          data-child-runs={children.count}
          title={`${children.done} of ${children.count} child runs done`}
          onPointerDown={stop}
          onKeyDown={stop}
          onClick={(event) => {
            stop(event);
            if (children.workflowDefinitionId) {
              onOpenRelated?.({ workflowDefinitionId: children.workflowDefinitionId });
            }
          }}
        >
          <GitFork aria-hidden className="size-3" />
          {children.count} child {children.count === 1 ? "run" : "runs"}
          {children.done > 0 ? ` · ${children.done} done` : ""}
        </button>
      ) : null}
    </div>
  );
}
