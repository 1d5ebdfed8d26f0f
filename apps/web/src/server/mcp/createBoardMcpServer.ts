import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, resolve, sep } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  fileTypeSchema,
  idSchema,
  MAX_ARTIFACT_BYTES,
  type RunSummary,
  runStatusSchema,
  signalParamsSchema,
  stepLogTypeSchema,
} from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { z } from "zod";
import { HttpError } from "../HttpError.js";
import { toEnvelope } from "../plugins/errorHandlerPlugin.js";
import type { Services } from "../plugins/servicesPlugin.js";
import { version } from "../version.js";
import { MAX_APPROVAL_WAIT_SECONDS } from "./AgentApprovals.js";

/**
 * Who is asking. `board`: a person's own MCP client (Claude Code, an IDE) with the
 * server's access: every project. `run`: an agent step of one run, which reaches its own
 * project only; what it writes are `agent` comments.
 */
export type McpScope = { kind: "board" } | { kind: "run"; runId: string; projectId: string };

const runId = idSchema.describe("The run (card) id");
const projectId = idSchema
  .optional()
  .describe("The project; may be left out when the server has one project");

/**
 * The board as an MCP server: templates, runs (cards), their steps and logs, comments,
 * artifacts, signals, approvals and pause/resume/cancel, as tools with JSON Schemas, and a
 * run's summary and step logs as resources. Each call goes through the same services as
 * the REST API, so the same validation and the same errors apply.
 *
 * @example
 * const server = await createBoardMcpServer(app, { kind: "board" });
 * await server.connect(transport);
 */
export async function createBoardMcpServer(
  app: { services: Services; db: DbClient },
  scope: McpScope,
): Promise<McpServer> {
  const { services, db } = app;
  // Loaded with the first MCP request (then cached by Node): a board nobody drives over
  // MCP does not carry the SDK, about 27 MB of the idle server's memory.
  const sdk = await import("@modelcontextprotocol/sdk/server/mcp.js");
  const server = new sdk.McpServer(
    { name: "phaseboard", version },
    {
      instructions:
        scope.kind === "run"
          ? `You are running as a step of Phaseboard run ${scope.runId}. Use these tools to comment on your step, attach files (screenshots) to it, publish state to your card, and start follow-up cards in this project.`
          : "Phaseboard: a Kanban board of AI-agent workflow runs. Start runs from templates, follow them, comment, attach files, steer them.",
    },
  );

  const projectOf = async (given: string | undefined): Promise<string> => {
    if (scope.kind === "run") {
      if (given !== undefined && given !== scope.projectId) {
        throw new HttpError("NOT_FOUND", `No project ${given}`);
      }
      return scope.projectId;
    }
    if (given !== undefined) {
      const project = await db.project.findUnique({ where: { id: given } });
      if (!project) throw new HttpError("NOT_FOUND", `No project ${given}`);
      return project.id;
    }
    const projects = await services.projects.list();
    const own = projects.filter((project) => !project.path.includes(".phaseboard"));
    const only = own.length === 1 ? own[0] : projects.length === 1 ? projects[0] : undefined;
    if (!only) {
      throw new HttpError(
        "VALIDATION_FAILED",
        `project_id: this server has ${projects.length} projects; name one of ${projects.map((p) => `${p.id} (${p.name})`).join(", ")}`,
      );
    }
    return only.id;
  };

  /** A run in reach: another project's run is answered like a missing one. */
  const requireRun = async (id: string) => {
    const run = await services.runs.require(id);
    if (scope.kind === "run" && run.project_id !== scope.projectId) {
      throw new HttpError("NOT_FOUND", `No workflow run ${id}`);
    }
    return run;
  };

  const requireStep = async (id: string) => {
    const step = await db.workflowRunStep.findUnique({
      where: { id },
      select: { id: true, workflow_run_id: true, step_id: true },
    });
    if (!step) throw new HttpError("NOT_FOUND", `No step ${id}`);
    await requireRun(step.workflow_run_id).catch(() => {
      throw new HttpError("NOT_FOUND", `No step ${id}`);
    });
    return step;
  };

  /** In a run's scope, what it writes without naming a step goes to its running step. */
  const ownStep = async (target: string, given: string | undefined) => {
    if (given !== undefined || scope.kind !== "run" || target !== scope.runId) return given;
    const step = await db.workflowRunStep.findFirst({
      // "waiting": an agent step that asked for an approval is still the one writing.
      where: { workflow_run_id: target, status: { in: ["running", "waiting"] } },
      orderBy: { started_at: "desc" },
      select: { id: true },
    });
    return step?.id;
  };

  const tool = <Shape extends z.ZodRawShape>(
    name: string,
    description: string,
    shape: Shape,
    handler: (args: z.output<z.ZodObject<Shape>>) => Promise<unknown>,
    annotations: { readOnlyHint?: boolean; destructiveHint?: boolean } = {},
  ) => {
    server.registerTool(
      name,
      { description, inputSchema: z.strictObject(shape), annotations },
      // The SDK has validated the arguments against the schema by now.
      async (args: unknown): Promise<CallToolResult> => {
        try {
          const data = await handler(args as z.output<z.ZodObject<Shape>>);
          return { content: [{ type: "text", text: JSON.stringify(data, null, 2) }] };
        } catch (error) {
          const { error: wire } = toEnvelope(
            error instanceof Error ? error : new Error(String(error)),
          );
          return {
            content: [{ type: "text", text: `${wire.code}: ${wire.message}` }],
            isError: true,
          };
        }
      },
    );
  };

  tool(
    "list_templates",
    "List the project's workflow templates with their phases and the JSON Schema of their arguments (broken ones carry `error`).",
    { project_id: projectId },
    async ({ project_id }) => {
      const definitions = await services.catalog.list(await projectOf(project_id));
      return definitions.map((definition) => ({
        id: definition.id,
        identifier: definition.identifier,
        name: definition.name,
        description: definition.description,
        phases: definition.phases,
        args_schema: definition.args_schema,
        ...(definition.error !== null && { error: definition.error }),
      }));
    },
    { readOnlyHint: true },
  );

  tool(
    "start_run",
    "Start a run of a template: a new card on the board. With `after`, the card waits (Blocked) until all those runs have completed.",
    {
      project_id: projectId,
      template: z
        .string()
        .min(1)
        .max(500)
        .describe("The template's id, identifier (file name without extension) or name"),
      args: z
        .record(z.string(), z.unknown())
        .default({})
        .describe("Arguments, checked against the template's args_schema"),
      name: z.string().trim().min(1).max(500).optional().describe("The card's title"),
      after: z.array(idSchema).max(50).optional().describe("Run ids this run waits for"),
    },
    async ({ project_id, template, args, name, after }) => {
      const project = await projectOf(project_id);
      const definition = await db.workflowDefinition.findFirst({
        where: {
          project_id: project,
          OR: [{ id: template }, { identifier: template }, { name: template }],
        },
      });
      if (!definition) {
        throw new HttpError("NOT_FOUND", `No template ${template} in project ${project}`);
      }
      const run = await services.runs.create({
        project_id: project,
        workflow_definition_id: definition.id,
        args,
        ...(name !== undefined && { name }),
        ...(after !== undefined && { after }),
      });
      return { id: run.id, name: run.name, status: run.status, current_phase: run.current_phase };
    },
  );

  tool(
    "list_runs",
    "List the project's runs (cards), newest first: status, phase, cost.",
    {
      project_id: projectId,
      status: z.array(runStatusSchema).min(1).optional().describe("Only runs in these statuses"),
      limit: z.number().int().min(1).max(200).default(50),
    },
    async ({ project_id, status, limit }) => {
      const page = await services.runs.list({
        project_id: await projectOf(project_id),
        ...(status && { status }),
        limit,
      });
      return (page.data as unknown as RunSummary[]).map((run) => ({
        id: run.id,
        name: run.name,
        status: run.status,
        current_phase: run.current_phase,
        template: run.workflow_definition?.identifier ?? null,
        error_message: run.error_message,
        cost_usd: run.cost_usd,
        created_at: run.created_at,
      }));
    },
    { readOnlyHint: true },
  );

  tool(
    "get_run",
    "Get a run: status, phase, steps (ids for read_step_log), result, state, cost, comments and the runs it waits for.",
    { run_id: runId },
    async ({ run_id }) => {
      await requireRun(run_id);
      const [run, usage] = await Promise.all([
        services.runs.get(run_id),
        services.usage.run(run_id),
      ]);
      return {
        id: run.id,
        name: run.name,
        project_id: run.project_id,
        template: run.workflow_definition?.identifier ?? null,
        status: run.status,
        current_phase: run.current_phase,
        error_message: run.error_message,
        result: run.result,
        state: run.state,
        cost_usd: usage.total.cost_usd,
        tokens: usage.total.input_tokens + usage.total.output_tokens,
        steps: run.steps.map((step) => ({
          id: step.id,
          key: step.step_id,
          name: step.name,
          phase: step.phase,
          type: step.type,
          status: step.status,
          error_message: step.error_message,
        })),
        comments: run.comments.map((comment) => ({
          id: comment.id,
          step_id: comment.workflow_run_step_id,
          type: comment.comment_type,
          text: comment.text,
        })),
        ...("prerequisites" in run && { prerequisites: run.prerequisites }),
        ...("dependents" in run && { dependents: run.dependents }),
      };
    },
    { readOnlyHint: true },
  );

  tool(
    "read_step_log",
    "Read one log of a step: summary (markdown), output (JSON), input (JSON) or events (JSONL; `after` skips lines already read).",
    {
      step_id: idSchema.describe("The step's id (from get_run)"),
      type: stepLogTypeSchema.default("summary"),
      after: z.number().int().min(0).default(0),
    },
    async ({ step_id, type, after }) => {
      await requireStep(step_id);
      const log = await services.steps.log(step_id, type, { after });
      return { type: log.type, content: log.content, next_after: log.next_after };
    },
    { readOnlyHint: true },
  );

  tool(
    "comment",
    scope.kind === "run"
      ? "Comment on a run (your own by default) or on one of its steps; shown on the card as an agent comment."
      : "Comment on a run or on one of its steps.",
    {
      run_id: scope.kind === "run" ? runId.optional() : runId,
      step_id: idSchema.optional().describe("A step of that run"),
      text: z.string().trim().min(1, "must not be empty").max(100_000, "is too long"),
    },
    async ({ run_id, step_id, text }) => {
      const target = run_id ?? (scope.kind === "run" ? scope.runId : undefined);
      if (!target) throw new HttpError("VALIDATION_FAILED", "run_id: required");
      await requireRun(target);
      const step = await ownStep(target, step_id);
      const comment = await services.comments.create(target, {
        text,
        ...(step && { step_id: step }),
        comment_type: scope.kind === "run" ? "agent" : "user",
      });
      return { id: comment.id, run_id: target, step_id: comment.workflow_run_step_id };
    },
  );

  tool(
    "attach_artifact",
    "Attach a file (a screenshot, a report) to a step of a run as an artifact, shown on the card. `path` is a file inside the run's working folder (or its project).",
    {
      run_id: scope.kind === "run" ? runId.optional() : runId,
      step_id:
        scope.kind === "run"
          ? idSchema.optional().describe("The step the file belongs to (default: your own)")
          : idSchema.describe("The step the file belongs to"),
      path: z
        .string()
        .min(1)
        .max(4096)
        .describe("The file, absolute or relative to the run's working folder"),
      name: z
        .string()
        .trim()
        .min(1)
        .max(255)
        .optional()
        .describe("Shown name (default: the file name)"),
      file_type: fileTypeSchema.optional(),
    },
    async ({ run_id, step_id, path, name, file_type }) => {
      const target = run_id ?? (scope.kind === "run" ? scope.runId : undefined);
      if (!target) throw new HttpError("VALIDATION_FAILED", "run_id: required");
      const run = await requireRun(target);
      const project = await db.project.findUniqueOrThrow({ where: { id: run.project_id } });
      const folder = run.workspace_path ?? project.path;
      const file = await fileInside(isAbsolute(path) ? path : resolve(folder, path), [
        folder,
        project.path,
      ]);
      const step = await ownStep(target, step_id);
      if (!step) throw new HttpError("VALIDATION_FAILED", "step_id: required");
      const artifact = await services.artifacts.upload(
        target,
        { step_id: step, ...(name && { name }), ...(file_type && { file_type }) },
        { filename: basename(file), file: createReadStream(file) },
      );
      return {
        id: artifact.id,
        name: artifact.name,
        file_type: artifact.file_type,
        mime_type: artifact.mime_type,
        size_bytes: artifact.size_bytes,
      };
    },
  );

  if (scope.kind === "run") {
    tool(
      "set_state",
      "Publish state to your card (what ctx.setState does): a JSON object shown on the card and returned by get_run.",
      { state: z.record(z.string(), z.unknown()) },
      async ({ state }) => {
        await db.workflowRun.update({
          where: { id: scope.runId },
          data: { state: state as object },
        });
        services.hub.publish({
          type: "workflow.execution.state_changed",
          data: { execution_id: scope.runId, project_id: scope.projectId, state },
        });
        return { run_id: scope.runId, state };
      },
    );
  }

  if (scope.kind === "run") {
    const waitSeconds = z
      .number()
      .int()
      .min(0)
      .max(MAX_APPROVAL_WAIT_SECONDS)
      .default(30)
      .describe(
        `Seconds to wait for the decision in this call (at most ${MAX_APPROVAL_WAIT_SECONDS}); if none came, the answer is "pending": call get_approval with its approval_id`,
      );
    tool(
      "request_approval",
      "Ask a person to approve what you are about to do. Your step shows as waiting for approval on its card until someone approves or rejects it. Answers status approved, rejected or pending (no decision yet: call get_approval with the approval_id to wait again).",
      {
        message: z
          .string()
          .trim()
          .min(1, "must not be empty")
          .max(10_000, "is too long")
          .describe("What you ask approval for, shown on the card"),
        wait_seconds: waitSeconds,
      },
      async ({ message, wait_seconds }) => {
        const asked = await services.approvals.request(scope.runId, scope.projectId, message);
        return services.approvals.wait(scope.runId, asked.approval_id, wait_seconds);
      },
    );
    tool(
      "get_approval",
      "The decision on an approval you asked for with request_approval, waiting for it up to wait_seconds.",
      {
        approval_id: z.string().min(1).max(100).describe("From request_approval"),
        wait_seconds: waitSeconds,
      },
      async ({ approval_id, wait_seconds }) =>
        services.approvals.wait(scope.runId, approval_id, wait_seconds),
      { readOnlyHint: true },
    );
  }

  tool(
    "send_signal",
    "Send a signal a run waits for (ctx.waitForSignal), with an optional JSON payload.",
    { run_id: runId, name: signalParamsSchema.shape.name, payload: z.unknown().optional() },
    async ({ run_id, name, payload }) => {
      await requireRun(run_id);
      const run = await services.manager.signal(run_id, name, payload);
      return { id: run.id, status: run.status };
    },
  );

  tool(
    "approve",
    "Approve or reject an approval step a run waits on.",
    {
      run_id: runId,
      approval_id: z.string().min(1).max(500).describe("The approval step's key"),
      approved: z.boolean(),
      comment: z.string().max(100_000).optional(),
    },
    async ({ run_id, approval_id, approved, comment }) => {
      await requireRun(run_id);
      const decision = { approved, ...(comment && { comment }) };
      if (await services.approvals.decide(run_id, approval_id, decision)) {
        const run = await services.runs.require(run_id);
        return { id: run.id, status: run.status };
      }
      const run = await services.manager.approve(run_id, approval_id, {
        approved,
        ...(comment && { comment }),
      });
      return { id: run.id, status: run.status };
    },
  );

  tool(
    "pause_run",
    "Pause a run before its next step (`now` also interrupts the running step).",
    { run_id: runId, now: z.boolean().default(false) },
    async ({ run_id, now }) => {
      await requireRun(run_id);
      const run = await services.manager.pause(run_id, now);
      return { id: run.id, status: run.status };
    },
  );

  tool(
    "resume_run",
    "Resume a paused or waiting run from its latest checkpoint; a Blocked run starts without waiting any longer.",
    { run_id: runId },
    async ({ run_id }) => {
      await requireRun(run_id);
      if (services.reviews.busy(run_id)) {
        throw new HttpError(
          "REVIEW_IN_PROGRESS",
          `A review follow-up is running in run ${run_id}'s worktree; wait until it ends`,
        );
      }
      const run = await services.manager.resume(run_id);
      return { id: run.id, status: run.status };
    },
  );

  tool(
    "cancel_run",
    "Cancel a run (its finally steps still run).",
    { run_id: runId },
    async ({ run_id }) => {
      await requireRun(run_id);
      const run = await services.manager.cancel(run_id);
      return { id: run.id, status: run.status };
    },
    { destructiveHint: true },
  );

  server.registerResource(
    "run",
    new sdk.ResourceTemplate("phaseboard://runs/{runId}", { list: undefined }),
    { description: "A run's summary: status, phase, steps, result", mimeType: "application/json" },
    async (uri, variables) => {
      const id = String(variables.runId);
      await requireRun(id);
      const run = await services.runs.get(id);
      const summary = {
        id: run.id,
        name: run.name,
        status: run.status,
        current_phase: run.current_phase,
        error_message: run.error_message,
        result: run.result,
        state: run.state,
        steps: run.steps.map((step) => ({
          id: step.id,
          key: step.step_id,
          name: step.name,
          status: step.status,
          log: `phaseboard://steps/${step.id}/logs/summary`,
        })),
      };
      return {
        contents: [
          { uri: uri.href, mimeType: "application/json", text: JSON.stringify(summary, null, 2) },
        ],
      };
    },
  );

  server.registerResource(
    "step-log",
    new sdk.ResourceTemplate("phaseboard://steps/{stepId}/logs/{type}", { list: undefined }),
    { description: "A step's log: summary, output, input or events" },
    async (uri, variables) => {
      const id = String(variables.stepId);
      const type = stepLogTypeSchema.parse(variables.type);
      await requireStep(id);
      const log = await services.steps.log(id, type);
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: type === "summary" ? "text/markdown" : "application/json",
            text: log.content,
          },
        ],
      };
    },
  );

  return server;
}

/**
 * The real path of a regular file inside one of `folders` (symlinks resolved, so a link
 * cannot lead out), no larger than an artifact may be.
 */
async function fileInside(path: string, folders: string[]): Promise<string> {
  const real = await realpath(path).catch(() => {
    throw new HttpError("NOT_FOUND", `path: no file ${path}`);
  });
  const roots = await Promise.all(folders.map((folder) => realpath(folder).catch(() => folder)));
  if (!roots.some((root) => real.startsWith(root + sep))) {
    throw new HttpError(
      "VALIDATION_FAILED",
      `path: ${path} is outside the run's working folder; only files inside it can be attached`,
    );
  }
  const info = await stat(real);
  if (!info.isFile()) throw new HttpError("VALIDATION_FAILED", `path: ${path} is not a file`);
  if (info.size > MAX_ARTIFACT_BYTES) throw new HttpError("PAYLOAD_TOO_LARGE");
  return real;
}
