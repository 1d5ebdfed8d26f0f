import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";

/**
 * Makes a run that has not started wait for other runs (a card dropped on another, or
 * "Start after…" in its menu). Not optimistic: the server decides (same project, no cycle,
 * not itself, not started), so the card changes only once it agreed; a refusal leaves the
 * card as it was and a toast gives the server's reason.
 */
export function useLinkRun() {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: ({ run, after }: { run: Run; after: Run[] }) =>
      apiFetch<Run>(
        `/api/workflow-executions/${encodeURIComponent(run.id)}/prerequisites`,
        jsonBody({ after: after.map((r) => r.id) }),
      ),
    onSuccess: (linked, { run, after }) => {
      client.setQueryData<Run[]>(queryKeys.runs(run.project_id), (runs) =>
        runs?.map((r) =>
          r.id === run.id
            ? {
                ...r,
                status: linked.status,
                error_message: linked.error_message ?? null,
                after_ids: [
                  ...new Set([
                    ...(r.after_ids ?? []),
                    ...after.map((prerequisite) => prerequisite.id),
                  ]),
                ],
              }
            : r,
        ),
      );
      for (const id of [run.id, ...after.map((r) => r.id)]) {
        void client.invalidateQueries({ queryKey: queryKeys.run(id) });
      }
      toast.success(`“${run.name}” starts after ${after.map((r) => `“${r.name}”`).join(", ")}`);
    },
    onError: (error, { run }) => toast.error(`Could not link “${run.name}”: ${error.message}`),
  });
  return {
    link: (run: Run, after: Run[]) => mutation.mutate({ run, after }),
    linkAsync: (run: Run, after: Run[]) => mutation.mutateAsync({ run, after }),
    isPending: mutation.isPending,
  };
}
