import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { GitPullRequest } from "lucide-react";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { queryKeys } from "../api/queryKeys";
import type { PullRequestLink, Run } from "../api/types";
import { Button } from "../ui/Button";

interface PullRequestStatus {
  pull_request: (PullRequestLink & { head_branch: string; base_branch: string }) | null;
  can_open: boolean;
  missing: string | null;
}

/**
 * **Open pull request** beside Merge: pushes the run's branch and opens the request, then
 * links to it. When something is missing (a remote, `gh`, signing in) the button is off and
 * says what.
 */
export function PullRequestButton({ run, busy }: { run: Run; busy: boolean }) {
  const client = useQueryClient();
  const path = `/api/workflow-executions/${encodeURIComponent(run.id)}/pull-request`;
  const status = useQuery({
    queryKey: queryKeys.pullRequest(run.id),
    queryFn: () => apiFetch<PullRequestStatus>(path),
  });
  const open = useMutation({
    mutationFn: () => apiFetch<PullRequestLink>(path, jsonBody({})),
    onSuccess: (opened) => toast.success(`Opened pull request #${opened.number}`),
    onError: (error) =>
      toast.error("No pull request opened", { description: error.message, duration: 12_000 }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.pullRequest(run.id) });
      void client.invalidateQueries({ queryKey: queryKeys.runs(run.project_id) });
      void client.invalidateQueries({ queryKey: queryKeys.comments(run.id) });
    },
  });
  const existing = status.data?.pull_request ?? run.pull_request ?? null;
  if (existing) return <PullRequestLinkView pullRequest={existing} />;
  const missing = status.data?.missing ?? null;
  return (
    <span className="inline-flex min-w-0 items-center gap-2">
      <Button
        size="sm"
        disabled={busy || !status.data?.can_open || open.isPending}
        title={missing ?? (busy ? "The run is still working in its worktree" : undefined)}
        onClick={() => open.mutate()}
        data-open-pull-request
      >
        <GitPullRequest aria-hidden className="size-3.5" />
        {open.isPending ? "Opening…" : "Open pull request"}
      </Button>
      {missing ? (
        <span className="max-w-80 truncate text-xs text-muted" title={missing} data-pr-missing>
          {missing}
        </span>
      ) : null}
    </span>
  );
}

const CHECKS_LABEL = {
  passing: "checks passing",
  failing: "checks failing",
  pending: "checks running",
  none: "",
} as const;

/** `PR #7 · open · checks passing`, linking to the request on its host. */
export function PullRequestLinkView({
  pullRequest,
  compact = false,
}: {
  pullRequest: PullRequestLink;
  compact?: boolean;
}) {
  const checks = CHECKS_LABEL[pullRequest.checks];
  const tone =
    pullRequest.state === "merged"
      ? "text-violet-700 dark:text-violet-400"
      : pullRequest.state === "closed"
        ? "text-muted"
        : pullRequest.checks === "failing"
          ? "text-red-700 dark:text-red-400"
          : "text-emerald-700 dark:text-emerald-400";
  // Only http(s) links reach the page: the URL came from a CLI's output.
  const href = /^https?:\/\//.test(pullRequest.url) ? pullRequest.url : undefined;
  return (
    <a
      href={href}
      target="_blank"
      rel="noreferrer noopener"
      className={`inline-flex max-w-full items-center gap-1 truncate rounded hover:underline ${compact ? "text-[11px]" : "text-xs"} ${tone}`}
      data-pull-request={pullRequest.state}
      onPointerDown={(event) => event.stopPropagation()}
      onClick={(event) => event.stopPropagation()}
    >
      <GitPullRequest aria-hidden className="size-3 shrink-0" />
      PR #{pullRequest.number} · {pullRequest.state}
      {checks ? ` · ${checks}` : ""}
    </a>
  );
}
