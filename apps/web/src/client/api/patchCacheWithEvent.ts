import type { QueryClient } from "@tanstack/react-query";
import type { LiveEvent } from "./liveEvent";
import { queryKeys } from "./queryKeys";
import type { Comment, Run, RunStep, StepLog, StepLogEvent } from "./types";

/**
 * Applies one server event to the query cache: the board never polls, so this is the
 * only way a card moves or a log grows. Events carry ids, not whole rows; where one
 * names something the cache does not hold, the affected list is refetched instead.
 * Unknown `workflow.*` types refetch the project's runs, so a newer server never leaves
 * the board stale.
 */
export function patchCacheWithEvent(
  client: QueryClient,
  event: LiveEvent | { type: string; data: { project_id: string; execution_id: string } },
): void {
  const { project_id: projectId, execution_id: runId } = event.data;
  const patchRun = (patch: (run: Run) => Run) => {
    client.setQueryData<Run[]>(queryKeys.runs(projectId), (runs) =>
      runs?.map((run) => (run.id === runId ? patch(run) : run)),
    );
    client.setQueryData<Run>(queryKeys.run(runId), (run) => (run ? patch(run) : run));
  };
  const known = client
    .getQueryData<Run[]>(queryKeys.runs(projectId))
    ?.some((run) => run.id === runId);
  const e = event as LiveEvent;
  switch (e.type) {
    case "workflow.execution.created": {
      const created = e.data.run;
      if (!created) {
        void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
        return;
      }
      client.setQueryData<Run[]>(queryKeys.runs(projectId), (runs) =>
        runs && !runs.some((run) => run.id === created.id) ? [...runs, created] : runs,
      );
      return;
    }
    case "workflow.execution.updated": {
      const update = e.data.run;
      if (!update || !known) {
        void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
        return;
      }
      patchRun((run) => ({ ...run, ...update, id: run.id }));
      return;
    }
    case "workflow.execution.deleted":
      client.setQueryData<Run[]>(queryKeys.runs(projectId), (runs) =>
        runs?.filter((run) => run.id !== runId),
      );
      client.removeQueries({ queryKey: queryKeys.run(runId) });
      return;
    case "workflow.execution.status_changed": {
      const { status, at } = e.data;
      const time = at ?? new Date().toISOString();
      patchRun((run) => ({
        ...run,
        status,
        ...("error_message" in e.data ? { error_message: e.data.error_message ?? null } : {}),
        ...(status === "running" && !run.started_at ? { started_at: time } : {}),
        ...(status === "paused" ? { paused_at: time } : {}),
        ...(status === "completed" || status === "failed" || status === "cancelled"
          ? { completed_at: run.completed_at ?? time }
          : {}),
      }));
      // Patching first: setQueryData would clear the invalidation.
      if (!known) void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
      return;
    }
    case "workflow.execution.phase_changed":
      patchRun((run) => ({ ...run, current_phase: e.data.current_phase }));
      if (!known) void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
      return;
    case "workflow.execution.state_changed":
      patchRun((run) => ({ ...run, state: e.data.state }));
      return;
    case "workflow.step.started": {
      const data = e.data;
      const started: RunStep = {
        id: data.step_id,
        step_id: data.step_key ?? data.step_id,
        name: data.step_name ?? data.step_key ?? data.step_id,
        phase: data.phase ?? "",
        status: "running",
        started_at: data.started_at ?? new Date().toISOString(),
        completed_at: null,
        ...(data.type ? { type: data.type } : {}),
        ...(data.attempt ? { attempt: data.attempt } : {}),
      };
      patchRun((run) => ({
        ...run,
        ...(data.phase ? { current_phase: run.current_phase ?? data.phase } : {}),
        steps: upsertStep(run.steps, started),
      }));
      return;
    }
    case "workflow.step.completed": {
      const { step_id: stepId, status, completed_at: completedAt } = e.data;
      patchRun((run) => ({
        ...run,
        steps: run.steps?.map((step) =>
          step.id === stepId
            ? {
                ...step,
                status,
                completed_at: completedAt ?? new Date().toISOString(),
                ...("error_message" in e.data ? { error_message: e.data.error_message } : {}),
              }
            : step,
        ),
      }));
      // Output and summary are written before the event: fetch them fresh when shown.
      void client.invalidateQueries({ queryKey: queryKeys.stepLog(stepId, "output") });
      void client.invalidateQueries({ queryKey: queryKeys.stepLog(stepId, "summary") });
      return;
    }
    case "workflow.step.progress": {
      const line: StepLogEvent = e.data.event ?? { kind: "stdout", text: e.data.output ?? "" };
      // Appended only to a log already loaded: one not loaded yet will read it from disk.
      client.setQueryData<StepLog>(queryKeys.stepLog(e.data.step_id, "events"), (log) =>
        log ? { ...log, content: `${log.content}${JSON.stringify(line)}\n` } : log,
      );
      return;
    }
    case "workflow.comment.created": {
      const comment = e.data.comment;
      const comments = client.getQueryData<Comment[]>(queryKeys.comments(runId));
      if (comments?.some((c) => c.id === e.data.comment_id)) return;
      if (comment && comments) {
        client.setQueryData<Comment[]>(queryKeys.comments(runId), [...comments, comment]);
      } else {
        void client.invalidateQueries({ queryKey: queryKeys.comments(runId) });
      }
      patchRun((run) => bumpCount(run, "comments"));
      return;
    }
    case "workflow.artifact.created":
      void client.invalidateQueries({ queryKey: queryKeys.artifacts(runId) });
      patchRun((run) => bumpCount(run, "artifacts"));
      return;
    case "workflow.artifact.attached":
      void client.invalidateQueries({ queryKey: queryKeys.artifacts(runId) });
      void client.invalidateQueries({ queryKey: queryKeys.comments(runId) });
      return;
    default:
      void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
      void client.invalidateQueries({ queryKey: queryKeys.run(runId) });
  }
}

function upsertStep(steps: RunStep[] | undefined, started: RunStep): RunStep[] {
  const list = steps ?? [];
  const index = list.findIndex((step) => step.id === started.id);
  if (index === -1) return [...list, started];
  return list.map((step, i) =>
    i === index ? { ...step, ...started, name: step.name || started.name } : step,
  );
}

function bumpCount(run: Run, key: "comments" | "artifacts"): Run {
  return { ...run, _count: { ...run._count, [key]: (run._count?.[key] ?? 0) + 1 } };
}
