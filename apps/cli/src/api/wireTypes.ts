// The REST shapes the CLI reads (seed 004's snake_case JSON). Only the fields the CLI
// uses are named; everything else passes through to `--json` untouched.

export interface ProjectDto {
  id: string;
  name: string;
  path: string;
}

export interface DefinitionDto {
  id: string;
  /** `implement-feature` for `implement-feature.ts` (absent on older servers). */
  identifier?: string;
  name: string;
  description?: string | null;
  type: string;
  path: string;
  phases: string[];
  args_schema?: Record<string, unknown> | null;
  /** Set when the template does not load (a message, or the engine's located error). */
  error?: string | { message: string; file?: string; line?: number; column?: number } | null;
}

export interface StepDto {
  id: string;
  step_id: string;
  name: string;
  phase: string;
  type?: string;
  status: string;
  attempt?: number;
  log_directory_path?: string | null;
  error_message?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
}

export interface RunDto {
  id: string;
  project_id?: string;
  workflow_definition_id?: string;
  name: string;
  status: string;
  current_phase?: string | null;
  args?: unknown;
  result?: unknown;
  state?: unknown;
  error_message?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  created_at?: string;
  updated_at?: string;
  steps?: StepDto[];
  workflow_definition?: Partial<DefinitionDto> | null;
}

/** `{ type, data }` from /ws; every workflow event names its run as `execution_id`. */
export interface ServerEvent {
  type: string;
  data: Record<string, unknown> & { execution_id?: string; project_id?: string };
}

export const terminalStatuses = new Set(["completed", "failed", "cancelled"]);
