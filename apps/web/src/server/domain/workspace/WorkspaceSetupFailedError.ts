/** A run's workspace setup did not succeed: the run fails before any step runs. */
export class WorkspaceSetupFailedError extends Error {
  override readonly name = "WorkspaceSetupFailedError";
  readonly code = "WORKSPACE_SETUP_FAILED";
}
