import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { findExecutable } from "@phaseboard/agent-cli";
import type {
  PullRequest,
  PullRequestChecks,
  PullRequestProvider,
  PullRequestState,
  PullRequestStatus,
} from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { isBranchName } from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import type { UsageService } from "../usage/UsageService.js";
import type { RunManager } from "../workflow/RunManager.js";
import type { RunService } from "../workflow/RunService.js";
import type { GitWorkspaces } from "../workspace/GitWorkspaces.js";
import { pullRequestBody } from "./pullRequestBody.js";
import { parseChecks, parseState } from "./readPullRequestView.js";

const exec = promisify(execFile);

/** The command line tool of each host, and how it names a merge request in its URLs. */
const CLI: Record<PullRequestProvider, { command: string; urlPattern: RegExp }> = {
  github: { command: "gh", urlPattern: /https?:\/\/\S+\/pull\/(\d+)/ },
  gitlab: { command: "glab", urlPattern: /https?:\/\/\S+\/merge_requests\/(\d+)/ },
};

/** How long a signed-in check of `gh`/`glab` is trusted (ms): it may reach the network. */
const AUTH_CHECK_TTL_MS = 30_000;
/** How long one `gh`/`glab` call may take (ms) before it counts as failed. */
const CLI_TIMEOUT_MS = 60_000;

export interface PullRequestsOptions {
  /** How often open pull requests are refreshed in the background (ms, default 60 s; 0: never). */
  refreshMs?: number | undefined;
  /** Where `gh`/`glab` are looked up and what they run with (default: the server's). */
  env?: NodeJS.ProcessEnv | undefined;
  onError?: ((error: unknown, runId: string) => void) | undefined;
}

/**
 * Pull requests (GitHub, through `gh`) and merge requests (GitLab, through `glab`) opened
 * from a run's branch. Everything goes through argv (never a shell): the branch is pushed
 * with git to the project's remote, the CLI opens the request, and its state and checks are
 * read back in the background; a merged request archives its run. A run has at most one:
 * asking again answers the one it has.
 */
/** How a pull request is opened: by a person (the defaults) or by a run's own step. */
export interface OpenOptions {
  /** Asked by the run's own step, so the run is running and that is fine. */
  fromStep?: boolean;
  /** Default: the run's name. */
  title?: string | undefined;
  /** Default: made from the run (pullRequestBody). */
  body?: string | undefined;
  draft?: boolean | undefined;
  /** Default: the branch the run's worktree started from. */
  base?: string | undefined;
}

export class PullRequests {
  readonly #refreshMs: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #authChecks = new Map<string, { at: number; problem: string | undefined }>();
  readonly #opening = new Map<string, Promise<{ pullRequest: PullRequest; created: boolean }>>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly runs: RunService,
    private readonly manager: RunManager,
    private readonly usage: UsageService,
    private readonly workspaces: GitWorkspaces | undefined,
    private readonly options: PullRequestsOptions = {},
  ) {
    this.#refreshMs = options.refreshMs ?? 60_000;
    this.#env = options.env ?? process.env;
  }

  /** Starts refreshing open pull requests every `refreshMs`. */
  start(): void {
    if (this.#refreshMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.refreshAll(), this.#refreshMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#refreshing;
  }

  /** The run's pull request, or what opening one still needs. */
  async status(runId: string): Promise<PullRequestStatus> {
    const run = await this.runs.require(runId);
    const existing = await this.db.pullRequest.findUnique({ where: { workflow_run_id: runId } });
    if (existing) {
      return {
        execution_id: runId,
        pull_request: toPullRequest(existing),
        can_open: false,
        missing: null,
      };
    }
    const missing = await this.#missing(run).catch((error: unknown) =>
      error instanceof Error ? error.message : String(error),
    );
    return {
      execution_id: runId,
      pull_request: null,
      can_open: !missing,
      missing: missing ?? null,
    };
  }

  /**
   * Pushes the run's branch (what its agents left uncommitted is committed first) and opens
   * a pull request from it; answers the one the run already has instead of a second.
   * `fromStep`: asked by the run's own step, so the run is running and that is fine.
   */
  open(runId: string, options: OpenOptions = {}) {
    // One at a time per run: a double click must not open two.
    const pending = this.#opening.get(runId);
    if (pending) return pending.then((result) => ({ ...result, created: false }));
    const next = this.#open(runId, options).finally(() => this.#opening.delete(runId));
    this.#opening.set(runId, next);
    return next;
  }

  async #open(
    runId: string,
    options: OpenOptions,
  ): Promise<{ pullRequest: PullRequest; created: boolean }> {
    const run = await this.runs.require(runId);
    const existing = await this.db.pullRequest.findUnique({ where: { workflow_run_id: runId } });
    if (existing) return { pullRequest: toPullRequest(existing), created: false };
    if (!options.fromStep && (run.status === "running" || run.status === "pending")) {
      throw new HttpError(
        "RUN_STILL_ACTIVE",
        `Run ${runId} is ${run.status}: pause it or let it finish before you open a pull request`,
      );
    }
    const missing = await this.#missing(run);
    if (missing)
      throw new HttpError("PULL_REQUEST_UNAVAILABLE", `Cannot open a pull request: ${missing}`);
    const workspaces = this.workspaces as GitWorkspaces;
    const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    const remote = (await workspaces.remoteOf(project.path)) as { name: string; url: string };
    const provider = providerOf(remote.url);
    const branch = run.workspace_branch as string;
    const base = options.base ?? (run.workspace_base_ref as string);
    if (!isBranchName(base)) {
      throw new HttpError(
        "VALIDATION_FAILED",
        `base: ${JSON.stringify(base)} is not a branch name`,
      );
    }
    if (run.workspace_path && existsSync(run.workspace_path)) {
      await workspaces.commitAll(run.workspace_path, run.name);
    }
    await workspaces.push(project.path, remote.name, branch);
    const title = options.title?.trim() || run.name;
    const body = options.body ?? (await pullRequestBody(this.db, this.usage, runId));
    const { command, urlPattern } = CLI[provider];
    const argv =
      provider === "github"
        ? [
            "pr",
            "create",
            "--head",
            branch,
            "--base",
            base,
            "--title",
            title,
            "--body",
            body,
            ...(options.draft ? ["--draft"] : []),
          ]
        : [
            "mr",
            "create",
            "--source-branch",
            branch,
            "--target-branch",
            base,
            "--title",
            title,
            "--description",
            body,
            ...(options.draft ? ["--draft"] : []),
            "--yes",
          ];
    let url: RegExpExecArray | null;
    try {
      const { stdout } = await this.#cli(command, argv, project.path);
      url = urlPattern.exec(stdout);
    } catch (error) {
      // Opened before (by hand, or by a server that stopped before recording it): adopt it.
      const said = cliMessage(error);
      url = /already exists/i.test(said) ? urlPattern.exec(said) : null;
      if (!url) {
        throw new HttpError(
          "PULL_REQUEST_FAILED",
          `${command} could not open the pull request: ${said}`,
        );
      }
    }
    if (!url) {
      throw new HttpError(
        "PULL_REQUEST_FAILED",
        `${command} opened no pull request it could name (no URL in its output)`,
      );
    }
    const row = await this.db.pullRequest.create({
      data: {
        workflow_run_id: runId,
        provider,
        url: url[0],
        number: Number(url[1]),
        remote: remote.name,
        head_branch: branch,
        base_branch: base,
        title,
      },
    });
    await this.runs.addSystemComment(
      run,
      `Opened pull request #${row.number} (${row.url}) from ${branch} into ${base}.`,
    );
    this.#publish(row);
    return { pullRequest: toPullRequest(row), created: true };
  }

  /** Reads every open pull request's state and checks again (one pass at a time). */
  refreshAll(): Promise<void> {
    this.#refreshing ??= (async () => {
      const rows = await this.db.pullRequest.findMany({
        where: { OR: [{ state: "open" }, { state: "merged", run: { archived_at: null } }] },
        select: { workflow_run_id: true },
      });
      for (const row of rows) {
        await this.refresh(row.workflow_run_id).catch((error: unknown) =>
          this.options.onError?.(error, row.workflow_run_id),
        );
      }
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * Reads the run's pull request from its host; a change is saved and published, and a
   * merged one archives the run (a paused or waiting run is cancelled first; a running one
   * is archived once a later refresh finds it over).
   */
  async refresh(runId: string): Promise<PullRequest | null> {
    const row = await this.db.pullRequest.findUnique({ where: { workflow_run_id: runId } });
    if (!row) return null;
    const project = await this.db.project.findFirstOrThrow({
      where: { runs: { some: { id: runId } } },
    });
    const provider = row.provider as PullRequestProvider;
    const { stdout } =
      provider === "github"
        ? await this.#cli(
            "gh",
            ["pr", "view", row.url, "--json", "state,statusCheckRollup"],
            project.path,
          )
        : await this.#cli(
            "glab",
            ["mr", "view", String(row.number), "--output", "json"],
            project.path,
          );
    const view = JSON.parse(stdout) as unknown;
    const state: PullRequestState = parseState(view);
    const checks: PullRequestChecks = parseChecks(view);
    let current = row;
    if (state !== row.state || checks !== row.checks) {
      current = await this.db.pullRequest.update({
        where: { id: row.id },
        data: { state, checks, refreshed_at: new Date() },
      });
      this.#publish(current);
    } else {
      await this.db.pullRequest.update({
        where: { id: row.id },
        data: { refreshed_at: new Date() },
      });
    }
    if (state === "merged") await this.#archiveMerged(runId, current.number);
    return toPullRequest(current);
  }

  async #archiveMerged(runId: string, number: number): Promise<void> {
    const run = await this.runs.require(runId);
    if (run.archived_at) return;
    if (run.status === "running" || run.status === "pending") return;
    if (run.status === "paused" || run.status === "waiting") await this.manager.cancel(runId);
    await this.runs.addSystemComment(run, `Pull request #${number} was merged; run archived.`);
    await this.runs.update(runId, { archived: true });
  }

  /** What opening a pull request for this run needs and lacks, in words; undefined when nothing. */
  async #missing(run: {
    id: string;
    project_id: string;
    workspace_branch: string | null;
    workspace_base_ref: string | null;
  }): Promise<string | undefined> {
    if (!this.workspaces || !run.workspace_branch || !run.workspace_base_ref) {
      return "the run has no branch of its own (it worked in the project folder, not a worktree)";
    }
    const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    const remote = await this.workspaces.remoteOf(project.path);
    if (!remote) {
      return `the project has no git remote to push to; add one with "git remote add origin <url>"`;
    }
    const provider = providerOf(remote.url);
    const { command } = CLI[provider];
    if (!findExecutable(command, this.#env.PATH)) {
      return provider === "github"
        ? "the GitHub CLI (gh) is not installed; install it from https://cli.github.com and run gh auth login"
        : "the GitLab CLI (glab) is not installed; install it from https://gitlab.com/gitlab-org/cli and run glab auth login";
    }
    const checked = this.#authChecks.get(command);
    if (checked && Date.now() - checked.at < AUTH_CHECK_TTL_MS) return checked.problem;
    const problem = await this.#cli(command, ["auth", "status"], project.path).then(
      () => undefined,
      (error: unknown) =>
        `${command} is not signed in (${command} auth status: ${cliMessage(error)}); run ${command} auth login`,
    );
    this.#authChecks.set(command, { at: Date.now(), problem });
    return problem;
  }

  async #cli(command: string, args: string[], cwd: string) {
    const executable = findExecutable(command, this.#env.PATH);
    if (!executable) throw new HttpError("PULL_REQUEST_UNAVAILABLE", `${command} is not installed`);
    return exec(executable, args, {
      cwd,
      timeout: CLI_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      // Never prompt in the background; no colours or pagers in what is parsed.
      env: {
        ...this.#env,
        GH_PROMPT_DISABLED: "1",
        GIT_TERMINAL_PROMPT: "0",
        NO_COLOR: "1",
        GH_PAGER: "cat",
        GLAB_PAGER: "cat",
      },
    });
  }

  #publish(row: {
    workflow_run_id: string;
    url: string;
    number: number;
    state: string;
    checks: string;
  }) {
    void this.db.workflowRun
      .findUnique({ where: { id: row.workflow_run_id }, select: { project_id: true } })
      .then((run) => {
        if (!run) return;
        this.hub.publish({
          type: "workflow.execution.pull_request",
          data: {
            execution_id: row.workflow_run_id,
            project_id: run.project_id,
            url: row.url,
            number: row.number,
            state: row.state as PullRequestState,
            checks: row.checks as PullRequestChecks,
          },
        });
      });
  }
}

/** GitLab when the remote's host says so; GitHub otherwise (also for any other host). */
export function providerOf(remoteUrl: string): PullRequestProvider {
  return /gitlab/i.test(remoteUrl) ? "gitlab" : "github";
}

/** What a failed CLI said: its stderr (or stdout), without surrounding blank lines. */
function cliMessage(error: unknown): string {
  const failed = error as { stderr?: string; stdout?: string; killed?: boolean };
  if (failed.killed) return `no answer within ${CLI_TIMEOUT_MS / 1000} s`;
  const said = (failed.stderr?.trim() || failed.stdout?.trim()) ?? "";
  return said || (error instanceof Error ? error.message : String(error));
}

function toPullRequest(row: {
  id: string;
  workflow_run_id: string;
  provider: string;
  url: string;
  number: number;
  remote: string;
  head_branch: string;
  base_branch: string;
  title: string;
  state: string;
  checks: string;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}): PullRequest {
  return {
    ...row,
    provider: row.provider as PullRequestProvider,
    state: row.state as PullRequestState,
    checks: row.checks as PullRequestChecks,
    refreshed_at: row.refreshed_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
