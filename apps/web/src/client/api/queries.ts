import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "./apiFetch";
import { queryKeys } from "./queryKeys";
import type {
  Artifact,
  Comment,
  LogType,
  Project,
  Run,
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

export function useRuns(projectId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.runs(projectId ?? ""),
    queryFn: () =>
      apiFetch<Run[]>(`/api/workflow-executions?project_id=${encodeURIComponent(projectId ?? "")}`),
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

export function useArtifacts(runId: string) {
  return useQuery({
    queryKey: queryKeys.artifacts(runId),
    queryFn: () => apiFetch<Artifact[]>(`/api/workflow-executions/${runId}/artifacts`),
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
  return `/api/artifacts/${encodeURIComponent(artifactId)}`;
}
