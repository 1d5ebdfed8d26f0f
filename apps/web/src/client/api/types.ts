import type * as Contract from "@phaseboard/contracts";
import type { RunStatus, StepStatus } from "@phaseboard/contracts/runStates";

// The API's wire shapes as the board reads them (snake_case, as the server sends them):
// a tolerant view of @phaseboard/contracts. Fields the board can live without are optional,
// so a card patched from an event (which carries less than a row) still renders; the
// checks at the bottom fail to compile when the contracts drift from what the board reads.

/** The one list of run and step statuses, from the table of run states. */
export type { RunStatus, StepStatus };

export interface Project {
  id: string;
  name: string;
  path: string;
  /** Why runs work in the project folder instead of a git worktree each, if they do. */
  runs_in_place?: string | null;
  /** `.agent/phaseboard.yaml` as read, or why it was refused. */
  config?: {
    budget?: { usd?: number; tokens?: number };
    preview?: { command: string | string[]; port_env: string; ready_path: string };
  } | null;
  config_error?: { message: string; file: string; line?: number; column?: number } | null;
}

export interface TemplateStep {
  id: string;
  name?: string;
  phase?: string;
  type?: string;
}

export interface WorkflowDefinition {
  id: string;
  project_id?: string;
  identifier?: string;
  name: string;
  description?: string | null;
  type: string;
  path: string;
  phases: string[];
  args_schema?: Record<string, unknown> | null;
  steps?: TemplateStep[] | null;
  /** The file's text, when the server includes it. */
  source?: string | null;
  /** Set when the template does not parse; such a template is listed, never run. */
  error?: string | { message: string } | null;
  /** The newest Build Workflow run on this template (on the System board). */
  last_build?: { run_id: string; status: RunStatus; finished_at: string | null } | null;
}

export interface AgentSessionInfo {
  agent: string;
  model?: string | null;
  cost_usd?: number | null;
}

export interface Artifact {
  id: string;
  workflow_run_step_id: string;
  workflow_comment_id?: string | null;
  name: string;
  file_path?: string;
  file_type: string;
  mime_type: string;
  size_bytes: number;
  created_at: string;
}

export interface Comment {
  id: string;
  workflow_run_id: string;
  workflow_run_step_id?: string | null;
  text: string;
  comment_type: string;
  created_by?: string | null;
  created_at: string;
  creator?: { username: string; display_name: string | null } | null;
  artifacts?: Artifact[];
}

export interface RunStep {
  id: string;
  step_id: string;
  name: string;
  phase: string;
  type?: string;
  status: StepStatus;
  attempt?: number;
  sequence?: number;
  error_message?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  session?: AgentSessionInfo | null;
  artifacts?: Artifact[];
  /** What the agent of this step asked a person to approve (`request_approval`), while open. */
  approval_request?: { id: string; message: string } | null;
}

export interface Run {
  id: string;
  project_id: string;
  workflow_definition_id: string;
  name: string;
  status: RunStatus;
  /** The run that started this one as its child (`ctx.run`), if any. */
  parent_run_id?: string | null;
  current_phase: string | null;
  current_step_index?: number;
  position: string;
  args?: unknown;
  state?: Record<string, unknown> | null;
  error_message?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  paused_at?: string | null;
  created_at: string;
  updated_at?: string;
  steps?: RunStep[];
  comments?: Comment[];
  workflow_definition?:
    | (Pick<WorkflowDefinition, "id" | "name" | "phases"> & Partial<WorkflowDefinition>)
    | null;
  _count?: { comments?: number; artifacts?: number; steps?: number };
  /** The run's own git worktree and branch, and what it started from (null: in place). */
  workspace_path?: string | null;
  workspace_branch?: string | null;
  workspace_base_ref?: string | null;
  workspace_base_commit?: string | null;
  /** The `phaseboard worker` running the run's steps (restate backend). */
  step_worker?: string | null;
  archived_at?: string | null;
  /** What the run's own agent steps spent: dollars, and input + output tokens. */
  cost_usd?: number;
  tokens?: number;
  /** The pull request opened from the run's branch, as last refreshed. */
  pull_request?: PullRequestLink | null;
  /** The runs this run waits for (on the board's list). */
  after_ids?: string[];
  /** Both ends of its card dependencies (on the run's own page). */
  prerequisites?: LinkedRun[];
  dependents?: LinkedRun[];
}

/** The other end of a card dependency. */
export interface LinkedRun {
  id: string;
  name: string;
  status: RunStatus;
  error_message: string | null;
}

/** What the card shows of a run's pull request. */
export interface PullRequestLink {
  url: string;
  number: number;
  state: "open" | "merged" | "closed";
  checks: "passing" | "failing" | "pending" | "none";
}

/** One changed file of a run's diff. */
export interface ChangedFile {
  path: string;
  /** git's letter: A added, M modified, D deleted, R renamed. */
  status: string;
  additions: number;
  deletions: number;
}

/** What a run changed against its base (`GET …/diff`). */
export interface RunDiff {
  execution_id: string;
  branch: string;
  base_ref: string;
  base_commit: string;
  files: ChangedFile[];
  patch: string;
}

export type LogType = "input" | "output" | "events" | "summary";

export interface StepLog {
  type: LogType;
  step_id: string;
  content: string;
}

/** One line of a step's events.jsonl, and the payload of `workflow.step.progress`. */
export interface StepLogEvent {
  at?: string;
  kind: "stdout" | "stderr" | "log" | "agent" | "system";
  text?: string;
  agent?: unknown;
}

/** An agent a project's steps may name (`GET /api/projects/:id/agents`). */
export interface ProjectAgent {
  name: string;
  kind: "built-in" | "declared";
  description: string | null;
  command: string | null;
  path: string | null;
  output: string | null;
  installed: boolean;
  available: boolean;
  version: string | null;
  reason: string | null;
  error: { message: string; code?: string; line?: number; column?: number; path?: string } | null;
}

// Every answer the server sends must be readable as the board's type.
type Readable<Sent extends Read, Read> = [Sent, Read];
export type ContractChecks = [
  Readable<Contract.Project, Project>,
  Readable<Contract.WorkflowDefinition, WorkflowDefinition>,
  Readable<Contract.RunSummary, Run>,
  Readable<Contract.RunDetail, Run>,
  Readable<Contract.Run, Run>,
  Readable<Contract.Step, RunStep>,
  Readable<Contract.CommentWithArtifacts, Comment>,
  Readable<Contract.Comment, Comment>,
  Readable<Contract.Artifact, Artifact>,
  Readable<Contract.StepLog, StepLog>,
  Readable<Contract.RunDiff, RunDiff>,
  Readable<Contract.ProjectAgent, ProjectAgent>,
];
