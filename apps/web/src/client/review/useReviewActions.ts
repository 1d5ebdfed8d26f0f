import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";

export type MergeMode = "squash" | "ff";

/** Merge, Discard and Send review, each with a toast that says what happened (or why not). */
export function useReviewActions(run: Run) {
  const client = useQueryClient();
  const base = `/api/workflow-executions/${encodeURIComponent(run.id)}`;
  const refresh = () => {
    void client.invalidateQueries({ queryKey: queryKeys.run(run.id) });
    void client.invalidateQueries({ queryKey: queryKeys.runDiff(run.id) });
    void client.invalidateQueries({ queryKey: queryKeys.runs(run.project_id) });
    void client.invalidateQueries({ queryKey: queryKeys.comments(run.id) });
  };

  const merge = useMutation({
    mutationFn: (input: { mode: MergeMode; message: string }) =>
      apiFetch<{ base_ref: string; commit: string; mode: MergeMode }>(
        `${base}/merge`,
        jsonBody({ mode: input.mode, ...(input.message.trim() && { message: input.message }) }),
      ),
    onSuccess: (merged) =>
      toast.success(
        `Merged into ${merged.base_ref} (${merged.mode === "ff" ? "fast-forward" : "squash"}) at ${merged.commit.slice(0, 7)}`,
      ),
    onError: (error) => toast.error("Not merged", { description: error.message, duration: 12_000 }),
    onSettled: refresh,
  });

  const discard = useMutation({
    mutationFn: () => apiFetch<Run>(`${base}/discard`, jsonBody({})),
    onSuccess: () => toast.success(`Discarded “${run.name}”: its worktree and branch are gone`),
    onError: (error) =>
      toast.error("Not discarded", { description: error.message, duration: 12_000 }),
    onSettled: refresh,
  });

  const sendReview = useMutation({
    mutationFn: (body: {
      comments: Array<{ path: string; line: number; side: "old" | "new"; body: string }>;
      summary?: string;
      step_id?: string;
    }) =>
      apiFetch<{ step_key: string; agent: string; comments: number }>(
        `${base}/review`,
        jsonBody(body),
      ),
    onSuccess: (sent) =>
      toast.success(
        `Sent ${sent.comments === 1 ? "1 comment" : `${sent.comments} comments`} to ${sent.agent}: the follow-up is running`,
      ),
    onError: (error) =>
      toast.error("Review not sent", { description: error.message, duration: 12_000 }),
    onSettled: refresh,
  });

  return { merge, discard, sendReview };
}
