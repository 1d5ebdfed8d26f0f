/** Every cache entry the board reads, in one place so events patch the same keys. */
export const queryKeys = {
  projects: ["projects"] as const,
  definitions: (projectId: string) => ["definitions", projectId] as const,
  definition: (definitionId: string) => ["definition", definitionId] as const,
  agents: (projectId: string) => ["agents", projectId] as const,
  runs: (projectId: string) => ["runs", projectId] as const,
  run: (runId: string) => ["run", runId] as const,
  comments: (runId: string) => ["comments", runId] as const,
  artifacts: (runId: string) => ["artifacts", runId] as const,
  stepLog: (stepId: string, type: string) => ["step-log", stepId, type] as const,
  projectUsage: (projectId: string, definitionId: string) =>
    ["usage", "project", projectId, definitionId] as const,
  runUsage: (runId: string) => ["usage", "run", runId] as const,
  runDiff: (runId: string) => ["diff", runId] as const,
  pullRequest: (runId: string) => ["pull-request", runId] as const,
  preview: (runId: string) => ["preview", runId] as const,
};
