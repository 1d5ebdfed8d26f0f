import type { UsageTotals } from "@phaseboard/contracts";
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "./ApiError";
import { withToken } from "./accessToken";
import { apiFetch, apiFetchEnvelope } from "./apiFetch";
import { queryKeys } from "./queryKeys";
import type {
  Artifact,
  Comment,
  LogType,
  Project,
  ProjectAgent,
  Run,
  RunDiff,
  StepLog,
  WorkflowDefinition,
} from "./types";

// Nothing here polls: the cache stays fresh through WebSocket events (patchCacheWithEvent)
// and a refetch of everything on screen when the socket reconnects.

export function useProjects() {
  return useQuery({
    queryKey: queryKeys.projects,
    queryFn: () => apiFetch<Project[]>("/api/projects"),
  });
}

export function useDefinitions(projectId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.definitions(projectId ?? ""),
    queryFn: () =>
      apiFetch<WorkflowDefinition[]>(
        `/api/workflow-definitions?project_id=${encodeURIComponent(projectId ?? "")}`,
      ),
    enabled: Boolean(projectId),
  });
}

/** Built-in and declared agents; re-read with the templates (a declaration change syncs both). */
export function useProjectAgents(projectId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.agents(projectId ?? ""),
    queryFn: () =>
      apiFetch<ProjectAgent[]>(`/api/projects/${encodeURIComponent(projectId ?? "")}/agents`),
    enabled: Boolean(projectId),
  });
}

export function useDefinition(definitionId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.definition(definitionId ?? ""),
    queryFn: () =>
      apiFetch<WorkflowDefinition>(
        `/api/workflow-definitions/${encodeURIComponent(definitionId ?? "")}`,
      ),
    enabled: Boolean(definitionId),
  });
}

/** Every run of the project: the list answers in pages of up to 500, newest first. */
export function useRuns(projectId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.runs(projectId ?? ""),
    queryFn: async () => {
      const runs: Run[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ project_id: projectId ?? "", limit: "500" });
        if (cursor) query.set("cursor", cursor);
        const page: { data: Run[]; page?: { next_cursor: string | null } } = await apiFetchEnvelope(
          `/api/workflow-executions?${query}`,
        );
        runs.push(...page.data);
        cursor = page.page?.next_cursor ?? null;
      } while (cursor);
      return runs;
    },
    enabled: Boolean(projectId),
  });
}

export function useRun(runId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.run(runId ?? ""),
    queryFn: () => apiFetch<Run>(`/api/workflow-executions/${encodeURIComponent(runId ?? "")}`),
    enabled: Boolean(runId),
  });
}

export function useComments(runId: string) {
  return useQuery({
    queryKey: queryKeys.comments(runId),
    queryFn: () => apiFetch<Comment[]>(`/api/workflow-executions/${runId}/comments`),
  });
}

export function useArtifacts(runId: string, stepIds: readonly string[]) {
  return useQuery({
    queryKey: queryKeys.artifacts(runId),
    queryFn: async () => {
      try {
        return await apiFetch<Artifact[]>(`/api/workflow-executions/${runId}/artifacts`);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        // A server without the run-wide list: each step's detail carries its artifacts.
        const steps = await Promise.all(
          stepIds.map((id) => apiFetch<{ artifacts?: Artifact[] }>(`/api/workflow-steps/${id}`)),
        );
        return steps.flatMap((step) => step.artifacts ?? []);
      }
    },
  });
}

export function useStepLog(stepId: string, type: LogType, enabled = true) {
  return useQuery({
    queryKey: queryKeys.stepLog(stepId, type),
    queryFn: () => apiFetch<StepLog>(`/api/workflow-steps/${stepId}/logs/${type}`),
    enabled,
    // A step that has not written this file yet answers 404: show "nothing yet".
    retry: false,
  });
}

export function artifactUrl(artifactId: string): string {
  return withToken(`/api/artifacts/${encodeURIComponent(artifactId)}`);
}

/** Tokens and dollars, as the server totals them. */
export type { UsageTotals };

/** What a template's runs in a project spent, per board column (refetched as steps finish). */
export function useProjectUsage(projectId: string | undefined, definitionId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.projectUsage(projectId ?? "", definitionId ?? ""),
    queryFn: () =>
      apiFetch<{
        total: UsageTotals;
        by_column: Record<string, UsageTotals>;
        /** Every run of the project, archived too: what the project budget counts. */
        lifetime?: UsageTotals;
        budget?: { usd?: number; tokens?: number } | null;
      }>(
        `/api/projects/${encodeURIComponent(projectId ?? "")}/usage?workflow_definition_id=${encodeURIComponent(definitionId ?? "")}`,
      ),
    enabled: Boolean(projectId && definitionId),
  });
}

/** What one run spent, per phase and step, and its budget. */
export function useRunUsage(runId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.runUsage(runId ?? ""),
    queryFn: () =>
      apiFetch<{
        budget: { usd?: number; tokens?: number } | null;
        total: UsageTotals;
        by_phase: Record<string, UsageTotals>;
        steps: Array<UsageTotals & { step_id: string; step_key: string; model: string | null }>;
      }>(`/api/workflow-executions/${encodeURIComponent(runId ?? "")}/usage`),
    enabled: Boolean(runId),
  });
}

/** The run's changes against its base; refetched whenever one of its steps finishes. */
export function useRunDiff(runId: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.runDiff(runId),
    queryFn: () => apiFetch<RunDiff>(`/api/workflow-executions/${encodeURIComponent(runId)}/diff`),
    enabled,
    // A run without a worktree answers 409 with the reason: show it, do not retry.
    retry: false,
  });
}
