/**
 * The CLI's environment: the step environment (see stepEnvironment), then the caller's additions, then what the adapter needs.
 * `CLAUDECODE` is dropped: when Phaseboard itself runs inside Claude Code, a nested
 * `claude` seeing it would refuse to start or behave as a sub-session.
 */
export function buildChildEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string> | undefined,
  adapterEnv: Record<string, string>,
  cwd: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined) env[key] = value;
  }
  // The adapter's variables win: Claude Code accepts only IS_SANDBOX=1, and an
  // inherited IS_SANDBOX=yes would make it refuse bypassPermissions as root.
  Object.assign(env, extra, adapterEnv);
  delete env.CLAUDECODE;
  // As the official SDK does: some CLIs trust PWD over the real working directory.
  env.PWD = cwd;
  return env;
}
