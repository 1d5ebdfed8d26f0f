import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Prisma } from "@phaseboard/db";
import { tempDir } from "@phaseboard/test-kit";
import { loadConfig, type ServerConfig } from "../../src/server/config.js";
import { type RunningServer, startServer } from "../../src/server/startServer.js";
import { testDatabaseEnv } from "./testDatabase.js";

/** A template with one required string argument, three phases and two steps. */
export const FEATURE_TEMPLATE = `name: Implement Feature
description: Research, build and test a feature
phases: [research, implement, test]
argsSchema:
  type: object
  required: [featureName]
  properties:
    featureName: { type: string, minLength: 1 }
    priority: { type: integer, minimum: 1 }
steps:
  - { id: research, name: Research, phase: research, type: script, command: "echo hi" }
  - { id: build, name: Build, phase: implement, type: script, command: "echo build" }
triggers:
  - { type: webhook, secretEnv: PB_TEST_HOOK_SECRET }
`;

export interface TestServer extends RunningServer {
  config: ServerConfig;
  projectDir: string;
  projectId: string;
  definitionId: string;
  /** `fetch` against the server, JSON in and out. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answers
    body: any;
  }>;
}

/**
 * The real server on a free port with a temp PHASEBOARD_HOME (so a temp database, or a
 * fresh PostgreSQL one after `runServersOnPostgres()`) and a temp project holding one
 * template.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    templates?: Record<string, string>;
    /** No executor: runs stay queued, so a test can set their rows and files itself. */
    queueOnly?: boolean;
    /** Start again on the home (database) and project of a server that was closed. */
    restart?: TestServer;
    /** Serve this project folder as it is (no templates are written into it). */
    projectDir?: string;
  } & Parameters<typeof startServer>[1] = {},
): Promise<TestServer> {
  const {
    env = {},
    templates = { "implement-feature.yaml": FEATURE_TEMPLATE },
    queueOnly = false,
    restart,
    projectDir: givenProject,
    ...serverOptions
  } = options;
  const projectDir = restart?.projectDir ?? givenProject ?? tempDir("project");
  if (!restart && !givenProject) {
    const definitions = join(projectDir, ".agent", "workflows", "definitions");
    mkdirSync(definitions, { recursive: true });
    for (const [name, content] of Object.entries(templates))
      writeFileSync(join(definitions, name), content);
  }
  const config =
    restart?.config ??
    loadConfig({
      PHASEBOARD_HOME: tempDir("home"),
      // Builds add runs of their own; the tests that want them turn them on.
      PHASEBOARD_BUILDS: "off",
      PHASEBOARD_PROJECT: projectDir,
      PORT: "0",
      ...(await testDatabaseEnv()),
      ...env,
    });
  const server = await startServer(config, {
    logger: false,
    ...serverOptions,
    ...(queueOnly && { executorFactory: undefined }),
  });
  const headers: Record<string, string> = config.token
    ? { authorization: `Bearer ${config.token}` }
    : {};
  const api: TestServer["api"] = async (path, init = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        ...headers,
        ...(init.body !== undefined && { "content-type": "application/json" }),
        ...init.headers,
      },
      ...(init.body !== undefined && {
        body: typeof init.body === "string" ? init.body : JSON.stringify(init.body),
      }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const project = await server.app.db.project.findUniqueOrThrow({ where: { path: projectDir } });
  const definition = await server.app.db.workflowDefinition.findFirst({
    where: { project_id: project.id, error: { equals: Prisma.DbNull } },
  });
  return {
    ...server,
    config,
    projectDir,
    projectId: project.id,
    definitionId: definition?.id ?? "",
    api,
  };
}

/** Creates a step row the way the engine's observer would, for comment/artifact tests. */
export async function addStep(server: TestServer, runId: string, stepKey = "research") {
  return server.app.db.workflowRunStep.create({
    data: {
      workflow_run_id: runId,
      step_id: stepKey,
      name: stepKey,
      phase: "research",
      type: "script",
    },
  });
}

/** `POST /api/workflow-executions` for the project's template with this identifier. */
export async function launchTemplate(
  server: TestServer,
  identifier: string,
  args: Record<string, unknown>,
) {
  const definitions = (await server.api(`/api/workflow-definitions?project_id=${server.projectId}`))
    .body.data as { id: string; identifier: string }[];
  return server.api("/api/workflow-executions", {
    body: {
      project_id: server.projectId,
      workflow_definition_id: definitions.find((d) => d.identifier === identifier)?.id,
      args,
    },
  });
}
