import { execFile } from "node:child_process";
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { HttpError } from "../../HttpError.js";

const run = promisify(execFile);

/** Where a run's worktree is and what it started from. */
export interface Workspace {
  path: string;
  branch: string;
  baseRef: string;
  baseCommit: string;
}

/** One changed file of a run's diff. */
export interface ChangedFile {
  path: string;
  /** git's letter: A added, M modified, D deleted, R renamed… */
  status: string;
  additions: number;
  deletions: number;
}

/** Why a project runs in place instead of in a worktree. */
export type InPlaceReason = "not a git repository" | "a git repository with no commits yet";

/**
 * Git worktrees for runs, through the `git` command (argv, never a shell): a run gets
 * `phaseboard/<run-slug>` from the project's HEAD (or a chosen base) in a folder of its
 * own under `$PHASEBOARD_HOME/worktrees`, so runs in parallel never see each other's
 * changes. The branch outlives the worktree, so nothing a run did is lost when it is
 * archived.
 */
export class GitWorkspaces {
  constructor(private readonly root: string) {}

  /** Why `projectPath` cannot have worktrees, or undefined when it can. */
  async inPlaceReason(projectPath: string): Promise<InPlaceReason | undefined> {
    const inside = await git(projectPath, ["rev-parse", "--is-inside-work-tree"]).catch(() => "");
    if (inside.trim() !== "true") return "not a git repository";
    const head = await git(projectPath, ["rev-parse", "--verify", "--quiet", "HEAD"]).catch(
      () => "",
    );
    return head.trim() ? undefined : "a git repository with no commits yet";
  }

  /** The commit `ref` names in the project; a clear 400 when it names none. */
  async resolveBase(projectPath: string, ref: string): Promise<string> {
    try {
      return (
        await git(projectPath, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])
      ).trim();
    } catch {
      throw new HttpError(
        "VALIDATION_FAILED",
        `base: no branch or commit "${ref}" in ${projectPath}`,
      );
    }
  }

  /** Creates the run's worktree on a new branch from `baseRef` (default HEAD). */
  async create(input: {
    projectPath: string;
    runId: string;
    name: string;
    baseRef?: string | undefined;
  }): Promise<Workspace> {
    // The branch checked out now, by name, so a merge later knows where to go.
    const baseRef = input.baseRef ?? (await this.currentBranch(input.projectPath)) ?? "HEAD";
    const baseCommit = await this.resolveBase(input.projectPath, baseRef);
    const slug = `${slugify(input.name)}-${input.runId.slice(-8)}`;
    const path = join(this.root, slugify(basename(input.projectPath)), slug);
    if (existsSync(path)) {
      throw new HttpError(
        "WORKTREE_UNAVAILABLE",
        `the worktree folder ${path} already exists; move it away`,
      );
    }
    const branch = `phaseboard/${slug}`;
    mkdirSync(dirname(path), { recursive: true });
    try {
      await git(input.projectPath, ["worktree", "add", "-b", branch, path, baseCommit]);
    } catch (error) {
      throw new HttpError(
        "WORKTREE_UNAVAILABLE",
        `git could not create the worktree: ${gitMessage(error)}`,
      );
    }
    return { path, branch, baseRef, baseCommit };
  }

  /** The branch checked out in `projectPath`, or undefined when HEAD is detached. */
  async currentBranch(projectPath: string): Promise<string | undefined> {
    const name = await git(projectPath, ["symbolic-ref", "--quiet", "--short", "HEAD"]).catch(
      () => "",
    );
    return name.trim() || undefined;
  }

  /**
   * Brings the run's work into its base branch where that branch is checked out — the
   * project's own checkout, or the parent run's worktree for a child with a worktree of its
   * own: what the agents left uncommitted is committed on the run's branch first, then the
   * branch is fast-forwarded into the base or squashed onto it as one commit. Refuses (409),
   * with everything left as it was, when that checkout has uncommitted changes, is not on
   * the base branch, cannot fast-forward, or the squash conflicts.
   */
  async merge(input: {
    projectPath: string;
    workspace: { path: string; branch: string; baseRef: string };
    mode: "ff" | "squash";
    message: string;
  }): Promise<{ commit: string }> {
    const { projectPath, workspace, mode, message } = input;
    const checkout = (await this.checkoutOf(projectPath, workspace.baseRef)) ?? projectPath;
    const where =
      realpathSync(checkout) === realpathSync(projectPath)
        ? "the project's checkout"
        : `the worktree ${checkout}`;
    const onBranch = await this.currentBranch(checkout);
    if (onBranch !== workspace.baseRef) {
      throw new HttpError(
        "MERGE_WRONG_BRANCH",
        `merge: ${where} is on ${onBranch ?? "a detached HEAD"}, not ${workspace.baseRef}; check out ${workspace.baseRef} first`,
      );
    }
    const dirty = (await git(checkout, ["status", "--porcelain", "--untracked-files=no"]))
      .split("\n")
      .filter(Boolean)
      .map((line) => line.slice(3));
    if (dirty.length > 0) {
      throw new HttpError(
        "MERGE_DIRTY_CHECKOUT",
        `merge: ${where} has uncommitted changes (${dirty.join(", ")}); commit or stash them first`,
      );
    }
    if (existsSync(workspace.path)) await this.commitAll(workspace.path, message);
    if (mode === "ff") {
      try {
        await git(checkout, ["merge", "--ff-only", "--quiet", workspace.branch]);
      } catch {
        throw new HttpError(
          "MERGE_NOT_FAST_FORWARD",
          `merge: ${workspace.baseRef} has moved on since the run started, so it cannot fast-forward; squash instead`,
        );
      }
    } else {
      try {
        await git(checkout, ["merge", "--squash", "--quiet", workspace.branch]);
      } catch (error) {
        const conflicts = (
          await git(checkout, ["diff", "--name-only", "--diff-filter=U"]).catch(() => "")
        )
          .split("\n")
          .filter(Boolean);
        await git(checkout, ["reset", "--merge"]).catch(() => undefined);
        throw new HttpError(
          "MERGE_CONFLICT",
          conflicts.length > 0
            ? `merge: squashing ${workspace.branch} into ${workspace.baseRef} conflicts in ${conflicts.join(", ")}; nothing was changed`
            : `merge: git could not squash ${workspace.branch}: ${gitMessage(error)}`,
        );
      }
      const staged = await git(checkout, ["diff", "--cached", "--name-only"]);
      if (staged.trim()) {
        await git(checkout, [...(await identity(checkout)), "commit", "--quiet", "-m", message]);
      }
    }
    return { commit: (await git(checkout, ["rev-parse", "HEAD"])).trim() };
  }

  /**
   * Commits everything uncommitted in the worktree at `path` (new files included) on its
   * branch, so a branch made from it, or a merge of it, carries that work too. Returns the
   * branch's commit afterwards.
   */
  async commitAll(path: string, message: string): Promise<string> {
    await git(path, ["add", "--all"]);
    const staged = await git(path, ["diff", "--cached", "--name-only"]);
    if (staged.trim()) {
      await git(path, [...(await identity(path)), "commit", "--quiet", "-m", message]);
    }
    return (await git(path, ["rev-parse", "HEAD"])).trim();
  }

  /** The folder where `branch` is checked out (the project's or any worktree), if any. */
  async checkoutOf(projectPath: string, branch: string): Promise<string | undefined> {
    const list = await git(projectPath, ["worktree", "list", "--porcelain"]).catch(() => "");
    let path: string | undefined;
    for (const line of list.split("\n")) {
      if (line.startsWith("worktree ")) path = line.slice("worktree ".length);
      else if (line === `branch refs/heads/${branch}` && path && existsSync(path)) return path;
    }
    return undefined;
  }

  /**
   * The remote a run's branch is pushed to — `origin`, else the only remote — and its URL;
   * undefined when the project has none.
   */
  async remoteOf(projectPath: string): Promise<{ name: string; url: string } | undefined> {
    const names = (await git(projectPath, ["remote"]).catch(() => ""))
      .split("\n")
      .map((name) => name.trim())
      .filter(Boolean);
    const name = names.includes("origin") ? "origin" : names.length === 1 ? names[0] : undefined;
    if (!name) return undefined;
    const url = (await git(projectPath, ["remote", "get-url", name]).catch(() => "")).trim();
    return { name, url };
  }

  /** Pushes `branch` to `remote` and tracks it; a refusal is a 409 carrying git's words. */
  async push(projectPath: string, remote: string, branch: string): Promise<void> {
    try {
      await git(projectPath, ["push", "--quiet", "--set-upstream", remote, `${branch}:${branch}`]);
    } catch (error) {
      // What the remote said (its hooks speak on `remote:` lines) comes before git's summary.
      const stderr = (error as { stderr?: string }).stderr ?? "";
      const remoteSaid = stderr
        .split("\n")
        .filter((line) => line.startsWith("remote: ") || line.startsWith(" ! "))
        .map((line) => line.replace(/^remote: /, "").trim())
        .filter(Boolean);
      throw new HttpError(
        "PUSH_REJECTED",
        `git push to ${remote} was refused: ${[...remoteSaid, gitMessage(error)].join("; ")}; no pull request was opened`,
      );
    }
  }

  /** Throws the run's work away: its worktree and its branch. */
  async discard(projectPath: string, workspace: { path: string; branch: string }): Promise<void> {
    await this.remove(projectPath, workspace.path);
    await git(projectPath, ["branch", "-D", workspace.branch]).catch(() => undefined);
  }

  /** Removes the worktree (the branch stays); a worktree already gone is fine. */
  async remove(projectPath: string, path: string): Promise<void> {
    if (existsSync(path)) {
      await git(projectPath, ["worktree", "remove", "--force", path]);
    }
    await git(projectPath, ["worktree", "prune"]).catch(() => undefined);
  }

  /**
   * What the run changed against its base, committed or not, new files included: the
   * unified patch and one entry per file.
   */
  async diff(workspace: { path: string; baseCommit: string }): Promise<{
    files: ChangedFile[];
    patch: string;
  }> {
    // New files count as changes: record them as intended (content is not staged).
    await git(workspace.path, ["add", "--all", "--intent-to-add"]);
    const [numstat, names, patch] = await Promise.all([
      git(workspace.path, ["diff", "--numstat", "-M", workspace.baseCommit]),
      git(workspace.path, ["diff", "--name-status", "-M", workspace.baseCommit]),
      git(workspace.path, ["diff", "-M", workspace.baseCommit]),
    ]);
    const statuses = new Map<string, string>();
    for (const line of names.split("\n").filter(Boolean)) {
      const [status = "M", ...paths] = line.split("\t");
      statuses.set(paths.at(-1) ?? "", status.charAt(0));
    }
    const files = numstat
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [added = "0", deleted = "0", ...rest] = line.split("\t");
        const path = renamedTo(rest.join("\t"));
        return {
          path,
          status: statuses.get(path) ?? "M",
          // Binary files report "-": no line counts.
          additions: added === "-" ? 0 : Number(added),
          deletions: deleted === "-" ? 0 : Number(deleted),
        };
      });
    return { files, patch };
  }
}

/** `src/{old.ts => new.ts}` or `old => new` in numstat: the new path. */
function renamedTo(path: string): string {
  const braces = /^(.*)\{(.*) => (.*)\}(.*)$/.exec(path);
  if (braces) return `${braces[1]}${braces[3]}${braces[4]}`.replace(/\/\//g, "/");
  const arrow = path.split(" => ");
  return arrow.at(-1) ?? path;
}

function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "run"
  );
}

/** Commits as Phaseboard when the repository names no committer. */
async function identity(cwd: string): Promise<string[]> {
  const email = await git(cwd, ["config", "user.email"]).catch(() => "");
  return email.trim()
    ? []
    : ["-c", "user.name=Phaseboard", "-c", "user.email=phaseboard@localhost"];
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd,
    maxBuffer: 256 * 1024 * 1024,
    // Never ask for credentials or an editor in the background.
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_EDITOR: "true" },
  });
  return stdout;
}

/** What git said went wrong: its `fatal:`/`error:` lines, without the progress chatter. */
function gitMessage(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim() ?? "";
  const problems = stderr
    .split("\n")
    .filter((line) => /^(fatal|error): /.test(line))
    .map((line) => line.replace(/^(fatal|error): /, ""));
  if (problems.length > 0) return problems.join("; ");
  return stderr || (error instanceof Error ? error.message : String(error));
}
