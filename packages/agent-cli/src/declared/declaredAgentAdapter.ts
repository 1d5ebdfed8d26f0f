import type { AgentAdapter } from "../adapters/AgentAdapter.js";
import { agentAdapters } from "../adapters/agentAdapters.js";
import type { AgentEvent } from "../types.js";
import type { AgentDeclaration } from "./AgentDeclaration.js";
import { expandArgTemplate } from "./expandArgTemplate.js";

/**
 * The adapter behind a declared agent: its arguments come from the declaration's
 * templates, its stdout is read by a built-in dialect's parser (or as plain text), and
 * it has no login or transcript Phaseboard knows how to find.
 */
export function declaredAgentAdapter(declaration: AgentDeclaration): AgentAdapter {
  const dialect = declaration.output === "text" ? undefined : agentAdapters[declaration.output];
  const resumable = dialect !== undefined && declaration.resume !== undefined;
  return {
    agent: declaration.name,
    command: declaration.command,
    npmPackage: undefined,
    installHint: declaration.install,
    authEnv: [],
    authFiles: () => [],
    stdoutFormat: dialect ? "jsonl" : "text",
    promptInput: declaration.prompt,
    supportsResume: resumable,
    buildArgs(input) {
      const values = {
        ...(declaration.prompt === "argument" && { prompt: input.prompt }),
        ...(input.model !== undefined && { model: input.model }),
        ...(resumable && input.resumeSessionId !== undefined && { session: input.resumeSessionId }),
        cwd: input.cwd,
        permission: input.permission,
      };
      const args = expandArgTemplate(declaration.args, values, declaration.resume);
      const placed = declaration.args.includes("{resume}");
      if (!placed && values.session !== undefined && declaration.resume) {
        args.push(...expandArgTemplate(declaration.resume, values));
      }
      return args;
    },
    // A declared CLI's way to take MCP servers is unknown: it gets them as the JSON most
    // CLIs read (`{ "mcpServers": { name: { type, url, headers } } }`) in
    // PHASEBOARD_MCP_CONFIG, for its wrapper or arguments to hand on.
    extraEnv: ({ mcpServers }) => ({
      ...declaration.env,
      ...(mcpServers &&
        Object.keys(mcpServers).length > 0 && {
          PHASEBOARD_MCP_CONFIG: JSON.stringify({
            mcpServers: Object.fromEntries(
              Object.entries(mcpServers).map(([name, server]) => [
                name,
                { type: "http", url: server.url, headers: { ...server.headers } },
              ]),
            ),
          }),
        }),
    }),
    createParser: () => (dialect ? dialect.createParser() : textParser),
    findSessionLog: () => undefined,
    describeExitCode: () => undefined,
  };
}

// Text output is framed by createEventStream; a parser is never asked for JSON.
const textParser = (): AgentEvent[] => [];
