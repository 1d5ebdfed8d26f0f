/**
 * The environment a step's process starts with. Never the server's whole environment:
 * Phaseboard runs next to a developer's secrets (its own `PHASEBOARD_TOKEN`, cloud keys,
 * registry tokens), and a step's output lands in logs, checkpoints and the board.
 *
 * A step gets: the basics programs need (PATH, HOME, locale, temp dir, proxies, toolchain
 * homes), Phaseboard's own variables except secret ones, the names the server grants in
 * `PHASEBOARD_PASS_ENV` (comma-separated, `NAME` or `PREFIX_*`), and for an agent step the
 * agent's credentials. The template's `env:` and what the engine sets come on top.
 */
const BASIC_NAMES = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TERM",
  "COLORTERM",
  "NO_COLOR",
  "FORCE_COLOR",
  "TMPDIR",
  "TMP",
  "TEMP",
  "CI",
  "EDITOR",
  "HOSTNAME",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "NODE_OPTIONS",
  "NODE_PATH",
  "COREPACK_HOME",
  "PNPM_HOME",
  "NVM_DIR",
  "VOLTA_HOME",
  "GOPATH",
  "GOROOT",
  "GOCACHE",
  "CARGO_HOME",
  "RUSTUP_HOME",
  "JAVA_HOME",
  "PYTHONPATH",
  "VIRTUAL_ENV",
  "SSH_AUTH_SOCK",
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_TERMINAL_PROMPT",
]);
const BASIC_PREFIXES = ["LC_", "XDG_", "npm_config_", "PHASEBOARD_"];

/** Variables of each agent CLI: its credentials and settings (ANTHROPIC_API_KEY, CODEX_HOME…). */
export const AGENT_VARIABLE_PREFIXES = [
  "ANTHROPIC_",
  "CLAUDE_",
  "OPENAI_",
  "CODEX_",
  "GEMINI_",
  "GOOGLE_",
  "VERTEX_",
] as const;

/** A name that says it holds a secret. Such a variable reaches a step only when granted. */
export const SECRET_NAME =
  /TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|CREDENTIAL|API_?KEY|PRIVATE|COOKIE|SESSION|AUTH(?!OR)/i;

function matches(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
  );
}

/** `PHASEBOARD_PASS_ENV=FOO,BAR_*`: names the server grants every step. */
export function grantedNames(source: NodeJS.ProcessEnv): string[] {
  return (source.PHASEBOARD_PASS_ENV ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "" && name !== "PHASEBOARD_TOKEN");
}

/**
 * Picks a step's environment out of `source` (the server's).
 *
 * @example
 * spawn("sh", ["-c", command], { env: { ...stepEnvironment(process.env), ...config.env } });
 * // agent steps: stepEnvironment(process.env, { agentVariables: adapter.authEnv })
 */
export function stepEnvironment(
  source: NodeJS.ProcessEnv,
  options: { agentVariables?: readonly string[] } = {},
): Record<string, string> {
  const granted = grantedNames(source);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || name === "PHASEBOARD_TOKEN") continue;
    // A run's ports are its own: one from the server's surroundings would be shared.
    if (name === "PHASEBOARD_PORT" || name === "PHASEBOARD_PORTS") continue;
    const agent =
      options.agentVariables !== undefined &&
      (matches(
        name,
        AGENT_VARIABLE_PREFIXES.map((prefix) => `${prefix}*`),
      ) ||
        options.agentVariables.includes(name));
    const basic =
      (BASIC_NAMES.has(name) ||
        matches(
          name,
          BASIC_PREFIXES.map((prefix) => `${prefix}*`),
        )) &&
      !SECRET_NAME.test(name);
    if (agent || basic || matches(name, granted)) env[name] = value;
  }
  return env;
}
