/** The agent's CLI is not on PATH: says which npm package provides it. */
export class AgentNotInstalledError extends Error {
  override readonly name = "AgentNotInstalledError";
  readonly code = "AGENT_NOT_INSTALLED";
  readonly agent: string;
  readonly npmPackage: string;

  constructor(agent: string, command: string, npmPackage: string) {
    super(
      `The ${agent} agent cannot run: no \`${command}\` executable on PATH. ` +
        `Install it with \`npm install -g ${npmPackage}\`.`,
    );
    this.agent = agent;
    this.npmPackage = npmPackage;
  }
}
