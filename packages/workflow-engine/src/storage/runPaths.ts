import { join, relative } from "node:path";

/** Where one run's files live, per seed 004's tree under the project root. */
export interface RunPaths {
  /** `.agent/workflows/executions/{runId}` (absolute). */
  root: string;
  definition: string;
  args: string;
  checkpoints: string;
  logs: string;
  artifacts: string;
  signals: string;
  approvals: string;
  lock: string;
  /** `logs/{stepKey}` (absolute); keys are URI-encoded so `#`, `/` and `:` stay safe. */
  stepLogDir(stepKey: string): string;
  /**
   * `logs/{stepKey}/process.json`: the process group a running step started and the
   * server process that owns it, so whoever runs the step next ends that group first.
   */
  stepProcess(stepKey: string): string;
  /** Relative to the project root (what the DB stores). */
  relative(path: string): string;
}

export function executionsDir(projectPath: string): string {
  return join(projectPath, ".agent", "workflows", "executions");
}

export function runPaths(projectPath: string, runId: string): RunPaths {
  const root = join(executionsDir(projectPath), runId);
  return {
    root,
    definition: join(root, "definition.json"),
    args: join(root, "args.json"),
    checkpoints: join(root, "checkpoints"),
    logs: join(root, "logs"),
    artifacts: join(root, "artifacts"),
    signals: join(root, "signals"),
    approvals: join(root, "approvals"),
    lock: join(root, "run.lock"),
    stepLogDir: (stepKey) => join(root, "logs", encodeURIComponent(stepKey)),
    stepProcess: (stepKey) => join(root, "logs", encodeURIComponent(stepKey), "process.json"),
    relative: (path) => relative(projectPath, path),
  };
}
