import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fakeAgentsPath } from "@phaseboard/agent-cli/testing";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "./helpers/exampleProject.js";
import { git } from "./helpers/gitProject.js";
import { launchTemplate, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  delete process.env.BON_GATE;
});

/**
 * `claude`, `codex` and `gemini` in front of the fake CLIs: an attempt records where it
 * ran and what it saw there, writes `solution.txt` and `by-<agent>.txt`, and (with
 * BON_GATE set) waits for `release`; the judge records its prompt and picks attempt 2.
 */
function wrappedAgents(log: string): void {
  const bin = tempDir("agents");
  for (const agent of ["claude", "codex", "gemini"]) {
    const file = join(bin, agent);
    writeFileSync(
      file,
      `#!/bin/sh
# Whatever other tests in this process left in the environment: a fresh session each call.
unset FAKE_AGENT_SESSION_ID FAKE_AGENT_DELAY_MS FAKE_AGENT_RECORD FAKE_AGENT_EXIT_CODE FAKE_AGENT_STREAM_FILE FAKE_AGENT_IGNORE_SIGNALS FAKE_AGENT_SPAWN_CHILD
export FAKE_AGENT_SCENARIO=success FAKE_AGENT_REPLY=Done.
case "$*" in
  *"Pick the attempt"*)
    printf '%s' "$*" > "${log}/judge-prompt.txt"
    export FAKE_AGENT_REPLY='Attempt 2 is tidiest. {"winner": 2, "reason": "the tidiest change"}'
    ;;
  *)
    pwd >> "${log}/cwd-${agent}"
    ls > "${log}/ls-${agent}"
    touch "${log}/reached-${agent}"
    if [ -n "$BON_GATE" ]; then while [ ! -f "${log}/release" ]; do sleep 0.05; done; fi
    echo "${agent}" > solution.txt
    echo "written by ${agent}" > "by-${agent}.txt"
    ;;
esac
exec "${fakeAgentsPath()}/${agent}" "$@"
`,
    );
    chmodSync(file, 0o755);
  }
  process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
}

/** The shipped templates in a git repository on `main`, everything committed. */
function exampleRepo(): string {
  const dir = exampleProject({
    ".gitignore": ".agent/workflows/executions/\n",
    "README.md": "# demo\n",
  });
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "Dev");
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "start");
  return dir;
}

async function waitFor(s: TestServer, runId: string, statuses: string[]) {
  for (let i = 0; i < 1_200; i++) {
    const run = (await s.api(`/api/workflow-executions/${runId}`)).body.data;
    if (statuses.includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${statuses.join("/")}`);
}

async function waitForFiles(paths: string[]) {
  for (let i = 0; i < 1_200 && !paths.every((p) => existsSync(p)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(paths.filter((p) => !existsSync(p))).toEqual([]);
}

interface ChildRow {
  id: string;
  name: string;
  parent_run_id: string | null;
  status: string;
  workspace_path: string;
  workspace_branch: string;
  workspace_base_ref: string;
  workspace_base_commit: string;
}

async function childrenOf(s: TestServer, parentId: string): Promise<ChildRow[]> {
  const runs = (await s.api("/api/workflow-executions?limit=100")).body.data as ChildRow[];
  return runs
    .filter((run) => run.parent_run_id === parentId)
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe("best-of-n", () => {
  it("runs N attempts in N worktrees, lets the judge see every diff, and keeps only the winner's change", async () => {
    const log = tempDir("log");
    const projectDir = exampleRepo();
    wrappedAgents(log);
    server = await startTestServer({ projectDir });
    const s = server;
    const created = await launchTemplate(s, "best-of-n", { task: "Write the solution file" });
    expect(created.status).toBe(201);
    const parent = await waitFor(s, created.body.data.id, ["completed", "failed"]);
    expect(parent.error_message).toBeNull();
    expect(parent.status).toBe("completed");
    expect(parent.result).toMatchObject({
      winner: 2,
      agent: "codex",
      reason: "the tidiest change",
    });

    // Three child cards, each on a branch of its own made from the parent's branch.
    const children = await childrenOf(s, parent.id);
    expect(children.map((c) => c.name)).toEqual([
      "Attempt 1 of 3 (claude)",
      "Attempt 2 of 3 (codex)",
      "Attempt 3 of 3 (gemini)",
    ]);
    expect(children.every((c) => c.status === "completed")).toBe(true);
    expect(new Set(children.map((c) => c.workspace_path)).size).toBe(3);
    expect(children.every((c) => c.workspace_base_ref === parent.workspace_branch)).toBe(true);
    expect(children.some((c) => c.workspace_path === parent.workspace_path)).toBe(false);

    // No attempt saw another's files, and each branch holds only its own change.
    for (const [i, agent] of ["claude", "codex", "gemini"].entries()) {
      expect(readFileSync(join(log, `cwd-${agent}`), "utf8").trim()).toBe(
        children[i]?.workspace_path,
      );
      expect(readFileSync(join(log, `ls-${agent}`), "utf8")).not.toMatch(/by-|solution/);
      const branch = children[i]?.workspace_branch ?? "";
      expect(
        git(projectDir, "diff", "--name-only", children[i]?.workspace_base_commit ?? "", branch)
          .trim()
          .split("\n"),
      ).toEqual([`by-${agent}.txt`, "solution.txt"]);
      expect(git(projectDir, "show", `${branch}:solution.txt`).trim()).toBe(agent);
    }

    // The judge read all three diffs.
    const prompt = readFileSync(join(log, "judge-prompt.txt"), "utf8");
    for (const [i, agent] of ["claude", "codex", "gemini"].entries()) {
      expect(prompt).toContain(`## Attempt ${i + 1} (${agent})`);
      expect(prompt).toContain(`+written by ${agent}`);
    }

    // The winner is squashed into the parent's worktree; the losers' worktrees are gone,
    // their branches kept.
    expect(readFileSync(join(parent.workspace_path, "solution.txt"), "utf8").trim()).toBe("codex");
    expect(readdirSync(parent.workspace_path).filter((f) => f.startsWith("by-"))).toEqual([
      "by-codex.txt",
    ]);
    const diff = (await s.api(`/api/workflow-executions/${parent.id}/diff`)).body.data;
    expect(diff.files.map((f: { path: string }) => f.path)).toEqual([
      "by-codex.txt",
      "solution.txt",
    ]);
    expect(existsSync(children[0]?.workspace_path ?? "")).toBe(false);
    expect(existsSync(children[2]?.workspace_path ?? "")).toBe(false);
    expect(existsSync(children[1]?.workspace_path ?? "")).toBe(true);
    for (const child of children) {
      expect(git(projectDir, "branch", "--list", child.workspace_branch).trim()).not.toBe("");
    }
    const comments = (await s.api(`/api/workflow-executions/${parent.id}`)).body.data.comments;
    expect(comments.map((c: { text: string }) => c.text).join("\n")).toMatch(
      /Attempt 2 of 3 \(codex\) wins: the tidiest change\. Squashed into this run's branch at [0-9a-f]{7}\./,
    );
    // The project's own checkout is untouched until someone merges the parent.
    expect(existsSync(join(projectDir, "solution.txt"))).toBe(false);
  });

  it("keeps each attempt in its same worktree when the server restarts mid-attempts", async () => {
    const log = tempDir("log");
    const projectDir = exampleRepo();
    wrappedAgents(log);
    process.env.BON_GATE = "1";
    const first = await startTestServer({ projectDir });
    const created = await launchTemplate(first, "best-of-n", {
      task: "Write the solution file",
      n: 2,
      agents: ["gemini", "codex"],
    });
    expect(created.status).toBe(201);
    const reached = [join(log, "reached-gemini"), join(log, "reached-codex")];
    await waitForFiles(reached);
    const before = await childrenOf(first, created.body.data.id);
    expect(before).toHaveLength(2);
    await first.close();
    for (const agent of ["gemini", "codex"]) {
      writeFileSync(join(log, `reached-${agent}`), "");
    }
    server = await startTestServer({ restart: first });
    const s = server;
    writeFileSync(join(log, "release"), "");
    const parent = await waitFor(s, created.body.data.id, ["completed", "failed"]);
    expect(parent.error_message).toBeNull();
    expect(parent.status).toBe("completed");
    const after = await childrenOf(s, parent.id);
    expect(after.map((c) => [c.id, c.workspace_path])).toEqual(
      before.map((c) => [c.id, c.workspace_path]),
    );
    // Each agent ran again after the restart, in the same folder as before.
    for (const [i, agent] of ["gemini", "codex"].entries()) {
      const cwds = readFileSync(join(log, `cwd-${agent}`), "utf8")
        .trim()
        .split("\n");
      expect(cwds.length).toBeGreaterThanOrEqual(2);
      expect(new Set(cwds)).toEqual(new Set([before[i]?.workspace_path]));
    }
    expect(parent.result).toMatchObject({ winner: 2, agent: "codex" });
  });

  it.each([
    [{ n: 1 }, /n/],
    [{ n: 6 }, /n/],
    [{ n: 2.5 }, /n/],
    [{ agents: ["claude", "cursor"] }, /agents/],
    [{ agents: [] }, /agents/],
  ])("refuses %j with a clear error and creates no run", async (extra, message) => {
    server = await startTestServer({ projectDir: exampleRepo() });
    const s = server;
    const response = await launchTemplate(s, "best-of-n", { task: "Anything", ...extra });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
    expect((await s.api("/api/workflow-executions")).body.data).toEqual([]);
  });
});
