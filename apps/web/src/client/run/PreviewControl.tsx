import type { Preview, PreviewStatus } from "@phaseboard/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ExternalLink, MonitorPlay, Square } from "lucide-react";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { useProjects } from "../api/queries";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";
import { Button } from "../ui/Button";

interface PreviewState {
  port_block: { first_port: number; ports: string } | null;
  configured: boolean;
  preview: Preview | null;
}

const LABEL: Record<PreviewStatus, string> = {
  starting: "starting…",
  ready: "answering",
  exited: "exited",
  failed: "never answered",
  stopped: "stopped",
};

/** Whether the run can have a preview: a worktree of its own and `preview:` in the project. */
export function usePreviewAvailable(run: Run): boolean {
  const projects = useProjects();
  const project = projects.data?.find((p) => p.id === run.project_id);
  return Boolean(run.workspace_path && !run.archived_at && project?.config?.preview);
}

/**
 * **Preview** on a card and on the run page: starts the project's dev server in the run's
 * worktree, links to it once it answers, and stops it. The run page (`withLog`) also
 * shows the end of its output, read again every second while it runs; the rest follows the
 * `workflow.execution.preview` events.
 */
export function PreviewControl({ run, withLog = false }: { run: Run; withLog?: boolean }) {
  const client = useQueryClient();
  const available = usePreviewAvailable(run);
  const path = `/api/workflow-executions/${encodeURIComponent(run.id)}/preview`;
  const state = useQuery({
    queryKey: queryKeys.preview(run.id),
    queryFn: () => apiFetch<PreviewState>(path),
    enabled: available,
    refetchInterval: (query) =>
      withLog && isLive(query.state.data?.preview?.status) ? 1_000 : false,
  });
  const settle = () => void client.invalidateQueries({ queryKey: queryKeys.preview(run.id) });
  const start = useMutation({
    mutationFn: () => apiFetch<Preview>(path, jsonBody({})),
    onError: (error) =>
      toast.error("The preview did not start", { description: error.message, duration: 12_000 }),
    onSettled: settle,
  });
  const stop = useMutation({
    mutationFn: () => apiFetch<Preview>(path, { method: "DELETE" }),
    onError: (error) => toast.error("Could not stop the preview", { description: error.message }),
    onSettled: settle,
  });
  if (!available) return null;
  const preview = state.data?.preview ?? null;
  const live = isLive(preview?.status);
  // Only a loopback http link reaches the page: the port came from the run's block.
  const href = preview?.status === "ready" ? preview.url : undefined;
  const stopEvents = {
    onPointerDown: (event: React.PointerEvent) => event.stopPropagation(),
    onClick: (event: React.MouseEvent) => event.stopPropagation(),
    onKeyDown: (event: React.KeyboardEvent) => event.stopPropagation(),
  };
  return (
    // Clicks here are the preview's, not the card's (which would open the run or start a drag).
    <div className="min-w-0" data-preview={preview?.status ?? "none"} {...stopEvents}>
      <div className="flex min-w-0 flex-wrap items-center gap-1.5">
        {live ? (
          <Button
            size="sm"
            variant="ghost"
            disabled={stop.isPending}
            onClick={() => stop.mutate()}
            data-stop-preview
          >
            <Square aria-hidden className="size-3" /> Stop preview
          </Button>
        ) : (
          <Button
            size="sm"
            disabled={start.isPending}
            onClick={() => start.mutate()}
            title={
              state.data?.port_block ? `Ports ${state.data.port_block.ports}` : "Start the preview"
            }
            data-start-preview
          >
            <MonitorPlay aria-hidden className="size-3.5" />
            {start.isPending ? "Starting…" : "Preview"}
          </Button>
        )}
        {href ? (
          <a
            href={href}
            target="_blank"
            rel="noreferrer noopener"
            className="inline-flex min-w-0 items-center gap-1 truncate text-xs text-emerald-700 hover:underline dark:text-emerald-400"
            data-preview-link
          >
            <ExternalLink aria-hidden className="size-3 shrink-0" />
            127.0.0.1:{preview?.port}
          </a>
        ) : preview ? (
          <span
            className={`truncate text-xs ${preview.status === "exited" || preview.status === "failed" ? "text-red-700 dark:text-red-400" : "text-muted"}`}
            title={preview.message ?? undefined}
            data-preview-status
          >
            {preview.status === "starting"
              ? `Preview ${LABEL.starting}`
              : `Preview ${preview.message ?? LABEL[preview.status]}`}
          </span>
        ) : null}
      </div>
      {withLog && preview ? (
        <pre
          className="mt-2 max-h-48 overflow-auto rounded-md bg-sunken p-2 font-mono text-[11px] leading-snug whitespace-pre-wrap text-ink"
          data-preview-log
        >
          {`$ ${preview.command}\n${preview.log || "(no output yet)"}`}
        </pre>
      ) : null}
    </div>
  );
}

function isLive(status: PreviewStatus | undefined): boolean {
  return status === "starting" || status === "ready";
}
