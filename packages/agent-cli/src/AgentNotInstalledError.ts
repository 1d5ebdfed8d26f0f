/** The agent's CLI is not on PATH (or not at its path): says how to install it. */
export class AgentNotInstalledError extends Error {
  override readonly name = "AgentNotInstalledError";
  readonly code = "AGENT_NOT_INSTALLED";
  readonly agent: string;
  readonly npmPackage: string | undefined;
  /** A declared agent's `install` hint. */
  readonly installHint: string | undefined;

  constructor(
    agent: string,
    command: string,
    npmPackage: string | undefined,
    installHint?: string,
  ) {
    const where = command.startsWith("/")
      ? `no executable file at ${command}`
      : `no \`${command}\` executable on PATH`;
    const how = npmPackage
      ? ` Install it with \`npm install -g ${npmPackage}\`.`
      : installHint
        ? ` To install it: ${installHint}`
        : "";
    super(`The ${agent} agent cannot run: ${where}.${how}`);
    this.agent = agent;
    this.npmPackage = npmPackage;
    this.installHint = installHint;
  }
}
