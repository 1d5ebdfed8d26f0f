import { nextRunStatus, type RunActionType } from "@phaseboard/contracts/runStates";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch } from "../api/apiFetch";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";

export type RunAction =
  | { kind: "pause"; now?: boolean }
  | { kind: "resume" }
  | { kind: "cancel" }
  | { kind: "rewind"; phase: string }
  | { kind: "approve"; stepKey: string }
  /** Reorder within a column, between two neighbours (null at either end). */
  | { kind: "move"; position: string; afterId: string | null; beforeId: string | null };

/**
 * The change the board shows at once, before the server's events confirm it: the status the
 * table of run states leads to (the server applies the same table); unchanged when the
 * table refuses the action.
 */
export function optimisticPatch(run: Run, action: RunAction): Run {
  const next = (type: RunActionType) => nextRunStatus(run.status, type) ?? run.status;
  switch (action.kind) {
    case "pause":
      return { ...run, status: next("pause") };
    case "resume":
      return { ...run, status: next("resume") };
    case "cancel":
      return { ...run, status: next("cancel") };
    case "rewind":
      return { ...run, status: next("rewind"), current_phase: action.phase, completed_at: null };
    case "approve":
      return { ...run, status: next("wake") };
    case "move":
      return { ...run, position: action.position };
    default: {
      const unhandled: never = action;
      throw new Error(`Unhandled run action ${JSON.stringify(unhandled)}`);
    }
  }
}

function request(runId: string, action: RunAction): [string, RequestInit] {
  const base = `/api/workflow-executions/${encodeURIComponent(runId)}`;
  switch (action.kind) {
    case "pause":
      return [
        `${base}/pause`,
        { method: "POST", body: JSON.stringify({ now: Boolean(action.now) }) },
      ];
    case "resume":
      return [`${base}/resume`, { method: "POST", body: "{}" }];
    case "cancel":
      return [`${base}/cancel`, { method: "POST", body: "{}" }];
    case "rewind":
      return [`${base}/rewind`, { method: "POST", body: JSON.stringify({ phase: action.phase }) }];
    case "approve":
      return [
        `${base}/approvals/${encodeURIComponent(action.stepKey)}`,
        { method: "POST", body: JSON.stringify({ approved: true }) },
      ];
    case "move":
      // The neighbours, not the key: the server computes the position in its own key space.
      return [
        base,
        {
          method: "PATCH",
          body: JSON.stringify({ after_id: action.afterId, before_id: action.beforeId }),
        },
      ];
    default: {
      const unhandled: never = action;
      throw new Error(`Unhandled run action ${JSON.stringify(unhandled)}`);
    }
  }
}

const verbs: Record<RunAction["kind"], string> = {
  pause: "pause",
  resume: "resume",
  cancel: "cancel",
  rewind: "rewind",
  approve: "approve",
  move: "move",
};

/**
 * Pause, resume, cancel, rewind, approve and reorder, each reflected on the card at once;
 * when the server refuses, the card goes back to what it was and a toast says why in the
 * server's own words.
 */
export function useRunActions() {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: ({ run, action }: { run: Run; action: RunAction }) => {
      const [path, init] = request(run.id, action);
      return apiFetch<Partial<Run>>(path, init);
    },
    onMutate: async ({ run, action }) => {
      const listKey = queryKeys.runs(run.project_id);
      const detailKey = queryKeys.run(run.id);
      await client.cancelQueries({ queryKey: listKey });
      await client.cancelQueries({ queryKey: detailKey });
      const before = {
        list: client.getQueryData<Run[]>(listKey),
        detail: client.getQueryData<Run>(detailKey),
      };
      client.setQueryData<Run[]>(listKey, (runs) =>
        runs?.map((r) => (r.id === run.id ? optimisticPatch(r, action) : r)),
      );
      client.setQueryData<Run>(detailKey, (r) => (r ? optimisticPatch(r, action) : r));
      return before;
    },
    onError: (error, { run, action }, before) => {
      if (before) {
        client.setQueryData(queryKeys.runs(run.project_id), before.list);
        client.setQueryData(queryKeys.run(run.id), before.detail);
      }
      toast.error(`Could not ${verbs[action.kind]} “${run.name}”: ${error.message}`);
    },
  });
  return {
    perform: (run: Run, action: RunAction) => mutation.mutate({ run, action }),
    isPending: mutation.isPending,
  };
}
