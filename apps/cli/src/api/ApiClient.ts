import {
  type ApprovalBody,
  errorEnvelopeSchema,
  MAX_RUN_PAGE,
  type ReviewRunBody,
  type StepLog,
  type StepLogType,
} from "@phaseboard/contracts";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { ApiError } from "./ApiError.js";
import type {
  DefinitionDto,
  MergeResultDto,
  PreviewDto,
  PreviewStatusDto,
  ProjectDto,
  ReviewResultDto,
  RunDiffDto,
  RunDto,
} from "./wireTypes.js";

/**
 * The Phaseboard REST API over fetch. Every answer is `{ data }` or `{ error }`; an error
 * becomes an `ApiError` carrying the server's code and message.
 *
 * @example
 * const api = new ApiClient("http://127.0.0.1:4100");
 * const run = await api.getRun("ckx…");
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string | undefined,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw new CommandFailedError(`cannot reach the Phaseboard server at ${this.baseUrl}`, {
        code: "SERVER_UNREACHABLE",
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const parsed = errorEnvelopeSchema.safeParse(json);
      if (parsed.success) {
        const { code, message, details } = parsed.data.error;
        throw new ApiError(response.status, code, message, details);
      }
      throw new ApiError(
        response.status,
        "HTTP_ERROR",
        `${method} ${path}: HTTP ${response.status}`,
      );
    }
    return (json as { data: T } | undefined)?.data as T;
  }

  health() {
    return this.request<{ status: string; version: string }>("GET", "/api/health");
  }

  listProjects() {
    return this.request<ProjectDto[]>("GET", "/api/projects");
  }

  /** The project registered for `path`, registering it on first sight. */
  async ensureProject(path: string, name: string): Promise<ProjectDto> {
    const existing = (await this.listProjects()).find((project) => project.path === path);
    return existing ?? this.request<ProjectDto>("POST", "/api/projects", { name, path });
  }

  listDefinitions(projectId: string) {
    return this.request<DefinitionDto[]>(
      "GET",
      `/api/workflow-definitions?project_id=${encodeURIComponent(projectId)}`,
    );
  }

  createRun(body: {
    project_id: string;
    workflow_definition_id: string;
    name?: string | undefined;
    args: Record<string, unknown>;
    /** Runs this one starts after (it is blocked until all of them completed). */
    after?: string[];
  }) {
    return this.request<RunDto>("POST", "/api/workflow-executions", body);
  }

  /** Newest first; `limit` up to the server's largest page (MAX_RUN_PAGE). */
  listRuns(query: {
    projectId: string;
    status?: string | undefined;
    definitionId?: string | undefined;
    limit?: number;
  }) {
    const params = new URLSearchParams({
      project_id: query.projectId,
      limit: String(query.limit ?? MAX_RUN_PAGE),
    });
    if (query.status) params.set("status", query.status);
    if (query.definitionId) params.set("workflow_definition_id", query.definitionId);
    return this.request<RunDto[]>("GET", `/api/workflow-executions?${params}`);
  }

  getRun(id: string) {
    return this.request<RunDto>("GET", `/api/workflow-executions/${encodeURIComponent(id)}`);
  }

  pause(id: string, options: { now?: boolean } = {}) {
    return this.action(id, "pause", options.now ? { now: true } : {});
  }

  resume(id: string) {
    return this.action(id, "resume", {});
  }

  cancel(id: string) {
    return this.action(id, "cancel", {});
  }

  rewind(id: string, phase: string) {
    return this.action(id, "rewind", { phase });
  }

  /** Answers the approval step `stepKey` (its memo key) of a waiting run. */
  approve(id: string, stepKey: string, body: ApprovalBody) {
    return this.action(id, `approvals/${encodeURIComponent(stepKey)}`, body);
  }

  signal(id: string, name: string, payload: unknown) {
    return this.action(id, `signals/${encodeURIComponent(name)}`, { payload });
  }

  diff(id: string) {
    return this.request<RunDiffDto>(
      "GET",
      `/api/workflow-executions/${encodeURIComponent(id)}/diff`,
    );
  }

  merge(id: string, body: { mode: "squash" | "ff"; message?: string }) {
    return this.request<MergeResultDto>(
      "POST",
      `/api/workflow-executions/${encodeURIComponent(id)}/merge`,
      body,
    );
  }

  preview(id: string) {
    return this.request<PreviewStatusDto>(
      "GET",
      `/api/workflow-executions/${encodeURIComponent(id)}/preview`,
    );
  }

  startPreview(id: string) {
    return this.request<PreviewDto>(
      "POST",
      `/api/workflow-executions/${encodeURIComponent(id)}/preview`,
      {},
    );
  }

  stopPreview(id: string) {
    return this.request<PreviewDto>(
      "DELETE",
      `/api/workflow-executions/${encodeURIComponent(id)}/preview`,
    );
  }

  discard(id: string) {
    return this.action(id, "discard", {});
  }

  review(id: string, body: ReviewRunBody) {
    return this.request<ReviewResultDto>(
      "POST",
      `/api/workflow-executions/${encodeURIComponent(id)}/review`,
      body,
    );
  }

  /** One range of a step log; `after` continues an events log after that many lines. */
  getStepLog(stepId: string, type: StepLogType, after?: number) {
    return this.request<StepLog>(
      "GET",
      `/api/workflow-steps/${encodeURIComponent(stepId)}/logs/${type}${after ? `?after=${after}` : ""}`,
    );
  }

  private action(id: string, action: string, body: unknown) {
    return this.request<RunDto>(
      "POST",
      `/api/workflow-executions/${encodeURIComponent(id)}/${action}`,
      body,
    );
  }
}
