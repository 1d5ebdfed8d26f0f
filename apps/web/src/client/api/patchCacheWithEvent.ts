import type { QueryClient } from "@tanstack/react-query";
import { DEFINITIONS_CHANGED, type LiveEvent, type UnknownLiveEvent } from "./liveEvent";
import { queryKeys } from "./queryKeys";
import type { Comment, Run, RunStep, StepLog } from "./types";

/**
 * Applies one server event to the query cache: the board never polls, so this is the
 * only way a card moves or a log grows. Events carry ids, not whole rows; where one
 * names something the cache does not hold, the affected list is refetched instead.
 * Unknown `workflow.*` types refetch the project's runs, so a newer server never leaves
 * the board stale.
 */
export function patchCacheWithEvent(
  client: QueryClient,
  event: LiveEvent | UnknownLiveEvent,
): void {
  const projectId = event.data.project_id;
  if (event.type === DEFINITIONS_CHANGED) {
    // A template or `.agent/phaseboard.yaml` was added, edited or broke: the tabs,
    // columns, config banner and Templates page follow.
    void client.invalidateQueries({ queryKey: queryKeys.definitions(projectId) });
    void client.invalidateQueries({ queryKey: queryKeys.projects });
    void client.invalidateQueries({ queryKey: ["definition"] });
    // Declarations are re-read at every template sync, so the agent list follows too.
    void client.invalidateQueries({ queryKey: queryKeys.agents(projectId) });
    return;
  }
  const runId = (event.data as UnknownLiveEvent["data"]).execution_id;
  const now = new Date().toISOString();
  const patchRun = (patch: (run: Run) => Run) => {
    client.setQueryData<Run[]>(queryKeys.runs(projectId), (runs) =>
      runs?.map((run) => (run.id === runId ? patch(run) : run)),
    );
    client.setQueryData<Run>(queryKeys.run(runId), (run) => (run ? patch(run) : run));
  };
  const known = client
    .getQueryData<Run[]>(queryKeys.runs(projectId))
    ?.some((run) => run.id === runId);
  // Patching first: setQueryData would clear an invalidation made before it.
  const refetchBoardIfUnknown = () => {
    if (!known) void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
  };
  const e = event as LiveEvent;
  switch (e.type) {
    case "workflow.execution.created": {
      const { data } = e;
      const created: Run = {
        id: data.execution_id,
        project_id: data.project_id,
        workflow_definition_id: data.workflow_definition_id,
        name: data.name,
        status: data.status,
        parent_run_id: data.parent_run_id,
        current_phase: data.current_phase,
        position: data.position,
        created_at: now,
        state: null,
        steps: [],
        _count: { comments: 0, artifacts: 0, steps: 0 },
      };
      client.setQueryData<Run[]>(queryKeys.runs(projectId), (runs) =>
        runs && !runs.some((run) => run.id === created.id) ? [...runs, created] : runs,
      );
      return;
    }
    case "workflow.execution.updated": {
      const { name, position, archived } = e.data;
      if (archived) {
        client.setQueryData<Run[]>(queryKeys.runs(projectId), (runs) =>
          runs?.filter((run) => run.id !== runId),
        );
        return;
      }
      patchRun((run) => ({ ...run, name, position }));
      refetchBoardIfUnknown();
      return;
    }
    case "workflow.execution.status_changed": {
      const { status } = e.data;
      patchRun((run) => ({
        ...run,
        status,
        ...(e.data.error_message !== undefined ? { error_message: e.data.error_message } : {}),
        ...(e.data.step_worker !== undefined ? { step_worker: e.data.step_worker } : {}),
        ...(status === "running" && !run.started_at ? { started_at: now } : {}),
        ...(status === "running" ? { completed_at: null } : {}),
        ...(status === "paused" ? { paused_at: now } : {}),
        ...(status === "completed" || status === "failed" || status === "cancelled"
          ? { completed_at: run.completed_at ?? now }
          : {}),
      }));
      refetchBoardIfUnknown();
      // A finished run's spending moves to the Done column's total.
      if (status === "completed") {
        void client.invalidateQueries({ queryKey: ["usage", "project", projectId] });
      }
      return;
    }
    case "workflow.execution.phase_changed":
      patchRun((run) => ({
        ...run,
        current_phase: e.data.current_phase,
        ...(e.data.current_step_index !== undefined
          ? { current_step_index: e.data.current_step_index }
          : {}),
      }));
      refetchBoardIfUnknown();
      return;
    case "workflow.execution.prerequisites_changed": {
      patchRun((run) => ({ ...run, after_ids: e.data.after_ids }));
      // The run pages of both ends list the link with names and statuses: read them again.
      for (const id of [runId, ...e.data.after_ids]) {
        void client.invalidateQueries({ queryKey: queryKeys.run(id) });
      }
      refetchBoardIfUnknown();
      return;
    }
    case "workflow.execution.state_changed":
      patchRun((run) => ({ ...run, state: e.data.state }));
      return;
    case "workflow.step.started": {
      const data = e.data;
      const started: RunStep = {
        id: data.step_id,
        step_id: data.step_key,
        name: data.step_name,
        phase: data.phase,
        type: data.type,
        attempt: data.attempt,
        status: "running",
        started_at: now,
        completed_at: null,
        error_message: null,
      };
      patchRun((run) => {
        const isNew = !run.steps?.some((step) => step.id === started.id);
        return {
          ...run,
          steps: upsertStep(run.steps, started),
          ...(isNew && run._count
            ? { _count: { ...run._count, steps: (run._count.steps ?? 0) + 1 } }
            : {}),
        };
      });
      refetchBoardIfUnknown();
      return;
    }
    case "workflow.step.completed": {
      const { step_id: stepId, status } = e.data;
      patchRun((run) => ({
        ...run,
        // An agent step's spending adds to the card's total.
        ...(e.data.cost_usd !== undefined && { cost_usd: (run.cost_usd ?? 0) + e.data.cost_usd }),
        ...(e.data.tokens !== undefined && { tokens: (run.tokens ?? 0) + e.data.tokens }),
        steps: run.steps?.map((step) =>
          step.id === stepId
            ? {
                ...step,
                status,
                completed_at: now,
                ...(e.data.error_message !== undefined
                  ? { error_message: e.data.error_message }
                  : {}),
              }
            : step,
        ),
      }));
      // An agent step's tokens and cost are recorded before the event.
      void client.invalidateQueries({ queryKey: ["usage"] });
      // ...and its agent session, which the event does not carry (the Review tab resumes it).
      if (e.data.cost_usd !== undefined || e.data.tokens !== undefined) {
        void client.invalidateQueries({ queryKey: queryKeys.run(e.data.execution_id) });
      }
      // What the step changed in the run's worktree.
      void client.invalidateQueries({ queryKey: queryKeys.runDiff(e.data.execution_id) });
      // Output and summary are written before the event: fetch them fresh when shown.
      void client.invalidateQueries({ queryKey: queryKeys.stepLog(stepId, "output") });
      void client.invalidateQueries({ queryKey: queryKeys.stepLog(stepId, "summary") });
      return;
    }
    case "workflow.step.progress": {
      const line = asJsonLine(e.data);
      // Appended only to a log already loaded: one not loaded yet will read it from disk.
      client.setQueryData<StepLog>(queryKeys.stepLog(e.data.step_id, "events"), (log) =>
        log ? { ...log, content: `${log.content}${line}\n` } : log,
      );
      return;
    }
    case "workflow.step.approval": {
      // An agent step asked for an approval: it waits, with the question on its card, until
      // the request is decided or ends with the step.
      const { step_id: stepId, status, approval_id, message } = e.data;
      // A card that has not seen its step start (that event came before the board's list
      // did) is read again: the list carries each active run's steps and open requests.
      const card = client
        .getQueryData<Run[]>(queryKeys.runs(projectId))
        ?.find((run) => run.id === runId);
      const cardLacksStep = card !== undefined && !card.steps?.some((step) => step.id === stepId);
      patchRun((run) => ({
        ...run,
        steps: run.steps?.map((step) => {
          if (step.id !== stepId) return step;
          if (status === "requested") {
            return { ...step, status: "waiting", approval_request: { id: approval_id, message } };
          }
          return {
            ...step,
            status: step.status === "waiting" ? "running" : step.status,
            approval_request: null,
          };
        }),
      }));
      if (cardLacksStep) void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
      refetchBoardIfUnknown();
      return;
    }
    case "workflow.comment.created": {
      // Counts change only here (never in the mutation that posted it), so each comment
      // is counted once whichever arrives first, the event or the POST's answer.
      patchRun((run) => bumpCount(run, "comments"));
      const comments = client.getQueryData<Comment[]>(queryKeys.comments(runId));
      if (!comments?.some((c) => c.id === e.data.comment_id)) {
        void client.invalidateQueries({ queryKey: queryKeys.comments(runId) });
      }
      return;
    }
    case "workflow.artifact.created":
      patchRun((run) => bumpCount(run, "artifacts"));
      void client.invalidateQueries({ queryKey: queryKeys.artifacts(runId) });
      return;
    case "workflow.artifact.attached":
      void client.invalidateQueries({ queryKey: queryKeys.artifacts(runId) });
      void client.invalidateQueries({ queryKey: queryKeys.comments(runId) });
      return;
    case "workflow.execution.pull_request": {
      const { url, number, state, checks } = e.data;
      patchRun((run) => ({ ...run, pull_request: { url, number, state, checks } }));
      void client.invalidateQueries({ queryKey: queryKeys.pullRequest(runId) });
      refetchBoardIfUnknown();
      return;
    }
    case "workflow.execution.preview":
      void client.invalidateQueries({ queryKey: queryKeys.preview(runId) });
      return;
    case "workflow.execution.notification":
      // Raised as a browser notification by the board shell; nothing in the cache changes.
      return;
    default:
      void client.invalidateQueries({ queryKey: queryKeys.runs(projectId) });
      void client.invalidateQueries({ queryKey: queryKeys.run(runId) });
  }
}

/** `output` is a line of events.jsonl; plain text from an older server is wrapped as one. */
function asJsonLine(data: { output: string; kind?: string | undefined; at?: string | undefined }) {
  const text = data.output.replace(/\n$/, "");
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && "kind" in parsed) return text;
  } catch {
    // Not JSON: wrap it below.
  }
  return JSON.stringify({ at: data.at, kind: data.kind ?? "stdout", text: data.output });
}

function upsertStep(steps: RunStep[] | undefined, started: RunStep): RunStep[] {
  const list = steps ?? [];
  const index = list.findIndex((step) => step.id === started.id);
  if (index === -1) return [...list, started];
  return list.map((step, i) => (i === index ? { ...step, ...started } : step));
}

function bumpCount(run: Run, key: "comments" | "artifacts"): Run {
  return { ...run, _count: { ...run._count, [key]: (run._count?.[key] ?? 0) + 1 } };
}
