import { execFile } from "node:child_process";
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { AgentDeclaration, AgentPermission, AgentRunner } from "@phaseboard/agent-cli";
import { type ReviewRunBody, reviewRunBodySchema } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import {
  type AgentStepConfig,
  RunLockedError,
  WorkflowExecutor,
} from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import { postComment } from "../comment/postComment.js";
import { priceTokens, projectPrices } from "../usage/prices.js";
import type { UsageService } from "../usage/UsageService.js";
import { createPrismaRunObserver } from "../workflow/PrismaRunObserver.js";
import { runStoreFor } from "../workflow/runStoreFor.js";
import type { GitWorkspaces } from "../workspace/GitWorkspaces.js";
import { type QuotedComment, reviewPrompt } from "./reviewPrompt.js";

const execFileAsync = promisify(execFile);

/** Follow-up steps are keyed `review-1`, `review-2`… beside the template's own steps. */
const REVIEW_KEY = /^review-(\d+)$/;
const INTERRUPTED =
  "The server stopped while this follow-up ran; the agent's session keeps what it did. Send the review again to go on.";

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Review comments on a run's diff, sent back to the agent that wrote it: the comments are
 * kept on the agent step they answer, and a follow-up step (`review-N`) resumes that step's
 * session in the run's worktree with the comments as its prompt. The follow-up is a step of
 * the run like any other — log, output, tokens and cost, live events — so the diff, the
 * run's cost and its budget account for it.
 *
 * The engine runs it (`runExtraStep`, a step the template does not have) under the run's
 * lease, so it gets the same files, events and usage as the template's steps; a follow-up
 * only happens when the run is not running. A server that stops mid-follow-up marks it
 * failed at the next start (the agent's own session keeps its work).
 */
export class ReviewFollowUps {
  readonly #inFlight = new Map<string, InFlight>();

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly workspaces: GitWorkspaces | undefined,
    private readonly usage: UsageService,
    private readonly runAgent: AgentRunner,
    /** The project's declared agents, so a declared agent's session can be followed up too. */
    private readonly declaredAgents: (
      projectId: string,
    ) => Readonly<Record<string, AgentDeclaration>> = () => ({}),
  ) {}

  /** Whether a follow-up of the run is running in this process. */
  busy(runId: string): boolean {
    return this.#inFlight.has(runId);
  }

  /** Waits for the run's follow-up, if one runs (tests, shutdown). */
  async settled(runId: string): Promise<void> {
    await this.#inFlight.get(runId)?.done;
  }

  /**
   * Checks the review against the run's diff, records the comments and starts the
   * follow-up; answers at once with the follow-up's step, which streams like any step.
   */
  async send(runId: string, input: ReviewRunBody) {
    const body = reviewRunBodySchema.parse(input);
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      include: {
        project: true,
        steps: { orderBy: { sequence: "asc" }, include: { session: true } },
      },
    });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    if (!this.workspaces || !run.workspace_path || !run.workspace_base_commit) {
      throw new HttpError(
        "RUN_HAS_NO_WORKTREE",
        `Run ${runId} works in its project folder: it has no diff of its own to review`,
      );
    }
    if (run.archived_at || !existsSync(run.workspace_path)) {
      throw new HttpError(
        "WORKTREE_REMOVED",
        `Run ${runId}'s worktree was removed (its branch ${run.workspace_branch} remains); there is nothing to follow up in`,
      );
    }
    if (run.status === "pending" || run.status === "running") {
      throw new HttpError(
        "RUN_STILL_ACTIVE",
        `Run ${runId} is ${run.status}: send the review once it pauses, waits or finishes`,
      );
    }
    if (this.#inFlight.has(runId)) {
      throw new HttpError(
        "REVIEW_IN_PROGRESS",
        `A review follow-up of run ${runId} is still running; send the next review when it ends`,
      );
    }
    const target = body.step_id
      ? run.steps.find((step) => step.id === body.step_id)
      : run.steps.filter((step) => step.type === "agent" && step.session).at(-1);
    if (body.step_id && !target) {
      throw new HttpError("NOT_FOUND", `step_id: run ${runId} has no step ${body.step_id}`);
    }
    if (!target?.session) {
      throw new HttpError(
        "NO_AGENT_SESSION",
        target
          ? `step_id: step "${target.name}" has no agent session to resume`
          : `Run ${runId} has no agent step with a session to resume: a review needs an agent to answer it`,
      );
    }
    const workspace = { path: run.workspace_path, baseCommit: run.workspace_base_commit };
    const comments = await this.#quote(workspace, body.comments);
    const over = await this.usage.budgetExceeded(runId);
    if (over)
      throw new HttpError("BUDGET_EXCEEDED", `${over}; raise the budget to send the review`);

    const number =
      Math.max(0, ...run.steps.map((step) => Number(REVIEW_KEY.exec(step.step_id)?.[1] ?? 0))) + 1;
    const stepKey = `review-${number}`;
    const sequence = Math.max(0, ...run.steps.map((step) => step.sequence)) + 1;
    const projectPath = run.project.path;
    const original = readStepInput(projectPath, target.log_directory_path);
    const agent = target.session.agent;
    const sessionId = target.session.session_id;
    const prompt = reviewPrompt({
      branch: run.workspace_branch ?? "",
      baseRef: run.workspace_base_ref ?? run.workspace_base_commit,
      summary: body.summary || undefined,
      comments,
    });
    const observer = createPrismaRunObserver({
      db: this.db,
      hub: this.hub,
      projectId: run.project_id,
      onRunStatus: () => undefined,
      priceTokens: (model, tokens) => priceTokens(projectPrices(projectPath), model, tokens),
    });
    // The thread of the step that is asked to change shows what it was asked.
    for (const comment of comments) {
      await postComment(this.db, this.hub, {
        run,
        stepId: target.id,
        type: "user",
        text: `**Review** · \`${comment.path}:${comment.line}\`${comment.side === "old" ? " (removed line)" : ""}\n\n${comment.body}`,
      });
    }
    const name = `Review follow-up ${number}`;
    const config: AgentStepConfig = {
      type: "agent",
      name,
      phase: target.phase,
      agent,
      prompt,
      ...(original.permission && { permission: original.permission }),
      ...(original.model && { model: original.model }),
    };
    const controller = new AbortController();
    // A step of the run the template does not have: the engine runs it like its own steps.
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: `review-${process.pid}`,
      store: runStoreFor(projectPath),
      runAgent: this.runAgent,
      declaredAgents: () => this.declaredAgents(run.project_id),
      observer,
    });
    const handle = executor.runExtraStep<unknown>(runId, {
      key: stepKey,
      config,
      resumeSessionId: sessionId,
      workdir: run.workspace_path,
      sequence,
      signal: controller.signal,
    });
    const done = handle.done.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.set(runId, { controller, done });
    void done.finally(() => this.#inFlight.delete(runId));
    await handle.started.catch((error: unknown) => {
      if (error instanceof RunLockedError) {
        throw new HttpError(
          "RUN_STILL_ACTIVE",
          `Run ${runId} is executing elsewhere: ${error.message}`,
        );
      }
      throw error;
    });
    const row = await this.db.workflowRunStep.findUniqueOrThrow({
      where: { workflow_run_id_step_id: { workflow_run_id: runId, step_id: stepKey } },
      select: { id: true },
    });
    return {
      execution_id: runId,
      step_id: row.id,
      step_key: stepKey,
      resumes_step_id: target.id,
      agent,
      session_id: sessionId,
      comments: comments.length,
    };
  }

  /**
   * Each comment with the text of its line; a 400 naming the comment when its file is
   * not in the run's diff or the file has no such line.
   */
  async #quote(
    workspace: { path: string; baseCommit: string },
    comments: ReadonlyArray<{ path: string; line: number; side: "old" | "new"; body: string }>,
  ): Promise<QuotedComment[]> {
    const { files } = await (this.workspaces as GitWorkspaces).diff(workspace);
    const changed = new Set(files.map((file) => file.path));
    const cache = new Map<string, string[] | undefined>();
    const quoted: QuotedComment[] = [];
    for (const [index, comment] of comments.entries()) {
      if (!changed.has(comment.path)) {
        throw new HttpError(
          "VALIDATION_FAILED",
          `comments[${index}].path: ${JSON.stringify(comment.path)} is not a file this run changed`,
        );
      }
      const key = `${comment.side}\0${comment.path}`;
      if (!cache.has(key)) cache.set(key, await fileLines(workspace, comment.side, comment.path));
      const lines = cache.get(key);
      if (!lines || comment.line > lines.length) {
        throw new HttpError(
          "VALIDATION_FAILED",
          `comments[${index}].line: ${comment.path} has ${lines?.length ?? 0} lines ${comment.side === "old" ? "before" : "in"} the run's version, not ${comment.line}`,
        );
      }
      quoted.push({ ...comment, quote: lines[comment.line - 1] });
    }
    return quoted;
  }

  /** Marks follow-ups a stopped server left running as failed (called at start). */
  async recover(): Promise<number> {
    const left = await this.db.workflowRunStep.findMany({
      where: { status: "running", step_id: { startsWith: "review-" } },
      select: { id: true, step_id: true },
    });
    const ids = left.filter((step) => REVIEW_KEY.test(step.step_id)).map((step) => step.id);
    if (ids.length === 0) return 0;
    await this.db.workflowRunStep.updateMany({
      where: { id: { in: ids } },
      data: { status: "failed", error_message: INTERRUPTED, completed_at: new Date() },
    });
    return ids.length;
  }

  /** Stops the follow-ups still running and waits until each has recorded its end. */
  async close(): Promise<void> {
    const running = [...this.#inFlight.values()];
    for (const { controller } of running) controller.abort(new Error("the server is stopping"));
    await Promise.allSettled(running.map(({ done }) => done));
  }
}

/** The permission and model the resumed step ran with (its input.json), when readable. */
function readStepInput(
  projectPath: string,
  logDir: string | null,
): { permission?: AgentPermission; model?: string } {
  if (!logDir) return {};
  try {
    const saved = JSON.parse(readFileSync(join(projectPath, logDir, "input.json"), "utf8")) as {
      input?: { permission?: AgentPermission; model?: string };
    };
    return {
      ...(saved.input?.permission && { permission: saved.input.permission }),
      ...(saved.input?.model && { model: saved.input.model }),
    };
  } catch {
    return {};
  }
}

/**
 * A changed file as it stands in the worktree, read without following any symlink: the
 * run wrote the tree, so a link it added (`notes.md -> /etc/passwd`) must not carry a
 * file from outside into the review prompt. A link reads as its target, which is how git
 * shows it in the diff; a path through a linked folder is not read at all.
 */
function readCheckedOutFile(root: string, path: string): string {
  const parts = path.split("/");
  if (parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`${path} is not a plain relative path`);
  }
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = join(current, part);
    if (lstatSync(current).isSymbolicLink()) {
      if (index === parts.length - 1) return readlinkSync(current, "utf8");
      throw new Error(`${path} goes through a symlink`);
    }
  }
  // O_NOFOLLOW: a link swapped in since the check above fails to open instead.
  const fd = openSync(current, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a file`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** The file's lines in the run's version (`new`) or at its base commit (`old`). */
async function fileLines(
  workspace: { path: string; baseCommit: string },
  side: "old" | "new",
  path: string,
): Promise<string[] | undefined> {
  try {
    const text =
      side === "new"
        ? readCheckedOutFile(workspace.path, path)
        : (
            await execFileAsync("git", ["show", `${workspace.baseCommit}:${path}`], {
              cwd: workspace.path,
              maxBuffer: 64 * 1024 * 1024,
            })
          ).stdout;
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines;
  } catch {
    return undefined;
  }
}
