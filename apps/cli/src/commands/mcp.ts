import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Command } from "commander";
import { withConnection } from "../connection/withConnection.js";
import { type ProjectOptions, withExamples, withProjectOption } from "../program/commandOptions.js";

export function registerMcpCommand(program: Command): void {
  const command = program
    .command("mcp")
    .description(
      "serve the board as an MCP server on stdin/stdout (for `claude mcp add phaseboard -- phaseboard mcp`)",
    )
    .action((options: ProjectOptions) => serveMcpOverStdio(options));
  withProjectOption(command);
  withExamples(command, [
    "claude mcp add phaseboard -- phaseboard mcp",
    "codex mcp add phaseboard -- phaseboard mcp",
    "gemini mcp add phaseboard phaseboard mcp",
  ]);
}

/**
 * Relays MCP messages between stdio and the server's `/mcp` endpoint, so the tools exist
 * once, in the server, with its access rules. Without a running server the board runs
 * embedded in this process (as for every command) for as long as the client stays.
 * Ends when the client closes stdin; a call in flight is then abandoned.
 */
async function serveMcpOverStdio(options: ProjectOptions): Promise<void> {
  await withConnection(options, async ({ baseUrl, token }) => {
    const upstream = new StreamableHTTPClientTransport(new URL("/mcp", baseUrl), {
      requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
    });
    const local = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      local.onclose = () => resolve();
      // stdin ending is the client going away, whatever the transport noticed.
      process.stdin.once("end", () => resolve());
    });
    upstream.onmessage = (message) => {
      void local.send(message).catch(() => undefined);
    };
    upstream.onerror = (error) => process.stderr.write(`phaseboard mcp: ${error.message}\n`);
    local.onmessage = (message: JSONRPCMessage) => {
      upstream.send(message).catch((error: unknown) => {
        // A request that never reached the board still gets an answer, not silence.
        if ("id" in message && "method" in message) {
          void local
            .send({
              jsonrpc: "2.0",
              id: message.id,
              error: {
                code: -32603,
                message: `Phaseboard did not answer: ${error instanceof Error ? error.message : String(error)}`,
              },
            })
            .catch(() => undefined);
        }
      });
    };
    await upstream.start();
    await local.start();
    await closed;
    await upstream.close().catch(() => undefined);
    await local.close().catch(() => undefined);
  });
}
