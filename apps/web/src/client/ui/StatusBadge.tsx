import {
  Ban,
  CheckCircle2,
  CircleDashed,
  CirclePause,
  Hand,
  Link2,
  Loader2,
  SkipForward,
  XCircle,
} from "lucide-react";
import type { RunStatus, StepStatus } from "../api/types";

const styles: Record<
  RunStatus | StepStatus,
  { label: string; className: string; Icon: typeof Loader2; spin?: boolean }
> = {
  blocked: {
    label: "Blocked",
    className: "bg-orange-50 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
    Icon: Link2,
  },
  pending: {
    label: "Queued",
    className: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
    Icon: CircleDashed,
  },
  running: {
    label: "Running",
    className: "bg-blue-50 text-blue-700 dark:bg-blue-950 dark:text-blue-300",
    Icon: Loader2,
    spin: true,
  },
  paused: {
    label: "Paused",
    className: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
    Icon: CirclePause,
  },
  waiting: {
    label: "Waiting for approval",
    className: "bg-violet-50 text-violet-700 dark:bg-violet-950 dark:text-violet-300",
    Icon: Hand,
  },
  completed: {
    label: "Completed",
    className: "bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
    Icon: CheckCircle2,
  },
  failed: {
    label: "Failed",
    className: "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300",
    Icon: XCircle,
  },
  cancelled: {
    label: "Cancelled",
    className: "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400",
    Icon: Ban,
  },
  skipped: {
    label: "Skipped",
    className: "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400",
    Icon: SkipForward,
  },
};

/** A run's or step's status: its own colour and icon, so a board can be read at a glance. */
export function StatusBadge({
  status,
  compact = false,
}: {
  status: RunStatus | StepStatus;
  compact?: boolean;
}) {
  const style = styles[status] ?? styles.pending;
  const { Icon } = style;
  return (
    <span
      data-status={status}
      className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-[11px] font-medium ${style.className}`}
      title={style.label}
    >
      <Icon aria-hidden className={`size-3 ${style.spin ? "animate-spin" : ""}`} />
      {compact ? null : style.label}
      {compact ? <span className="sr-only">{style.label}</span> : null}
    </span>
  );
}

export function statusLabel(status: RunStatus | StepStatus): string {
  return (styles[status] ?? styles.pending).label;
}
