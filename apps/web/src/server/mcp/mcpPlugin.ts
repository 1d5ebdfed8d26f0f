import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { HttpError } from "../HttpError.js";
import { createBoardMcpServer, type McpScope } from "./createBoardMcpServer.js";
import { RunTokens } from "./RunTokens.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Signs the tokens that give an agent step MCP access to its own run only. */
    runTokens: RunTokens;
  }
}

/**
 * The board's MCP server over streamable HTTP at `/mcp`, stateless: each POST gets a
 * server and transport of its own, so no session outlives its request and a client that
 * disconnects mid-call leaves nothing behind. It sits behind the request gate like the API
 * (Host, the server's token, Origin, JSON body: see http/ARCHITECTURE.md); this decides
 * only the scope: a run token an agent step was given reaches its own run's project, any
 * other request that passed the gate the whole board.
 */
export const mcpPlugin = fp(
  async (app: FastifyInstance, options: { runTokens: RunTokens }) => {
    const tokens = options.runTokens;
    app.decorate("runTokens", tokens);

    const scopeOf = async (request: FastifyRequest): Promise<McpScope> => {
      const header = request.headers.authorization;
      const presented = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
      if (presented === undefined || !RunTokens.isRunToken(presented)) return { kind: "board" };
      // Verified here too: without PHASEBOARD_TOKEN the gate checks no credential.
      const runId = tokens.verify(presented);
      const run = runId
        ? await app.db.workflowRun.findUnique({
            where: { id: runId },
            select: { project_id: true },
          })
        : null;
      if (!runId || !run) throw new HttpError("UNAUTHORIZED", "The run token is not valid");
      return { kind: "run", runId, projectId: run.project_id };
    };

    app.post("/mcp", async (request: FastifyRequest, reply: FastifyReply) => {
      const scope = await scopeOf(request);
      const server = await createBoardMcpServer(app, scope);
      const { StreamableHTTPServerTransport } = await import(
        "@modelcontextprotocol/sdk/server/streamableHttp.js"
      );
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.hijack();
      reply.raw.on("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    });

    // Stateless: there is no session to stream to or to end.
    const notAllowed = async (request: FastifyRequest, reply: FastifyReply) => {
      await scopeOf(request);
      return reply
        .status(405)
        .header("allow", "POST")
        .send({
          jsonrpc: "2.0",
          error: {
            code: -32000,
            message: "Method not allowed: this MCP endpoint is stateless; POST to it",
          },
          id: null,
        });
    };
    app.get("/mcp", notAllowed);
    app.delete("/mcp", notAllowed);
  },
  { name: "mcp", dependencies: ["services"] },
);
