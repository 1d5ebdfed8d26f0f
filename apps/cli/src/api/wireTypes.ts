// The REST and WebSocket shapes the CLI reads, from the shared contracts. The CLI reads
// answers leniently (fields it does not use pass through to `--json` untouched), so a
// slightly older or newer server still works.
import type {
  mergeResultResponseSchema,
  Preview,
  Project,
  previewStatusResponseSchema,
  Run,
  RunDiff,
  RunStatus,
  reviewResultResponseSchema,
  Step,
  WorkflowDefinition,
} from "@phaseboard/contracts";
import { terminalRunStatuses } from "@phaseboard/contracts/runStates";
import type { z } from "zod";

export type ProjectDto = Project;
export type DefinitionDto = WorkflowDefinition;
export type StepDto = Step;
export type RunDiffDto = RunDiff;
export type MergeResultDto = z.infer<typeof mergeResultResponseSchema>["data"];
export type PreviewDto = Preview;
export type PreviewStatusDto = z.infer<typeof previewStatusResponseSchema>["data"];
export type ReviewResultDto = z.infer<typeof reviewResultResponseSchema>["data"];

/** A run as listed (summary) or fetched (detail, with steps and its template). */
export type RunDto = Run & {
  steps?: Step[];
  workflow_definition?:
    | (Partial<WorkflowDefinition> & Pick<WorkflowDefinition, "id" | "name">)
    | null;
};

/** `{ type, data }` from /ws; every workflow event names its run as `execution_id`. */
export interface ServerEvent {
  type: string;
  data: Record<string, unknown> & { execution_id?: string; project_id?: string };
}

/** Where following a run stops: the statuses the table of run states calls ended. */
export const terminalStatuses: ReadonlySet<string> = new Set<RunStatus>(terminalRunStatuses);
