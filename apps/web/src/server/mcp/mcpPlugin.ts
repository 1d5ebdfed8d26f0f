import { createHash, timingSafeEqual } from "node:crypto";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
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
 * disconnects mid-call leaves nothing behind. Access: the server's token when one is set
 * (the whole board), or a run token an agent step was given (its own run's project only).
 * A browser page of another origin is refused, so a site cannot drive the board.
 */
export const mcpPlugin = fp(
  async (app: FastifyInstance, options: { token: string | undefined }) => {
    const tokens = new RunTokens();
    app.decorate("runTokens", tokens);
    const expected = options.token ? digest(options.token) : undefined;

    const scopeOf = async (request: FastifyRequest): Promise<McpScope> => {
      const origin = request.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, request.headers.host)) {
        throw new HttpError(
          "UNAUTHORIZED",
          `Requests from ${origin} may not use this server's MCP endpoint`,
        );
      }
      const header = request.headers.authorization;
      const presented = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
      if (presented !== undefined && RunTokens.isRunToken(presented)) {
        const runId = tokens.verify(presented);
        const run = runId
          ? await app.db.workflowRun.findUnique({
              where: { id: runId },
              select: { project_id: true },
            })
          : null;
        if (!runId || !run) throw new HttpError("UNAUTHORIZED", "The run token is not valid");
        return { kind: "run", runId, projectId: run.project_id };
      }
      if (expected) {
        if (presented === undefined) {
          throw new HttpError(
            "UNAUTHORIZED",
            "This server requires an access token: send Authorization: Bearer <PHASEBOARD_TOKEN>",
          );
        }
        if (!timingSafeEqual(digest(presented), expected)) {
          throw new HttpError("UNAUTHORIZED", "The access token is not valid");
        }
      }
      return { kind: "board" };
    };

    app.post("/mcp", async (request: FastifyRequest, reply: FastifyReply) => {
      const scope = await scopeOf(request);
      const server = createBoardMcpServer(app, scope);
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

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
