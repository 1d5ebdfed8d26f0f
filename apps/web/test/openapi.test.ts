import { errorCodes } from "@phaseboard/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Codes no single operation owns: answered for routes that do not exist, or while stopping. */
const GLOBAL_CODES = ["ROUTE_NOT_FOUND", "SERVICE_UNAVAILABLE"];

describe("OpenAPI document", () => {
  it("documents seed 004's endpoints and the additions", async () => {
    server = await startTestServer();
    const { body } = await server.api("/api/docs/json");
    expect(body.openapi).toBe("3.0.3");
    for (const [path, method] of [
      ["/api/workflow-executions", "post"],
      ["/api/workflow-executions", "get"],
      ["/api/workflow-executions/{id}", "get"],
      ["/api/workflow-executions/{id}", "patch"],
      ["/api/workflow-executions/{id}/pause", "post"],
      ["/api/workflow-executions/{id}/resume", "post"],
      ["/api/workflow-executions/{id}/cancel", "post"],
      ["/api/workflow-executions/{id}/rewind", "post"],
      ["/api/workflow-executions/{id}/signals/{name}", "post"],
      ["/api/workflow-executions/{id}/state", "get"],
      ["/api/workflow-steps/{id}", "get"],
      ["/api/workflow-steps/{id}/logs/{type}", "get"],
      ["/api/workflow-executions/{id}/artifacts", "post"],
      ["/api/artifacts/{id}", "get"],
      ["/api/artifacts/{id}/attach", "patch"],
      ["/api/artifacts/{id}/detach", "delete"],
      ["/api/workflow-executions/{id}/comments", "post"],
      ["/api/workflow-executions/{id}/comments", "get"],
      ["/api/projects", "get"],
      ["/api/projects", "post"],
      ["/api/workflow-definitions", "get"],
      ["/api/workflow-definitions/{id}", "get"],
      ["/api/hooks/{definitionId}", "post"],
    ] as const) {
      expect(body.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const list = body.paths["/api/workflow-executions"].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        "project_id",
        "status",
        "phase",
        "workflow_definition_id",
        "limit",
        "cursor",
      ]),
    );
  });

  it("fails when an error code of the registry is missing from the document", async () => {
    server = await startTestServer();
    const { body } = await server.api("/api/docs/json");
    const documented = new Set<string>(GLOBAL_CODES);
    for (const operations of Object.values(body.paths) as Record<
      string,
      { "x-error-codes": string[] }
    >[]) {
      for (const operation of Object.values(operations))
        for (const code of operation["x-error-codes"]) documented.add(code);
    }
    for (const code of errorCodes)
      expect(documented.has(code), `${code} is not documented`).toBe(true);
    expect(body.components.schemas.ErrorCode.enum).toEqual(errorCodes);
  });
});
