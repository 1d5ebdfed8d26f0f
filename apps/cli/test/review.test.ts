import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { describe, expect, it } from "vitest";
import { phaseboard, type Sandbox, sandbox } from "./phaseboardBinary.js";

// A run in a git repository gets a worktree of its own: these drive its diff, a review
// follow-up, merge and discard through the real binary (embedded server).

const TEMPLATE = `name: Edit notes
phases: [write]
steps:
  - id: write
    phase: write
    type: script
    command: [sh, -c, 'printf "one\\ntwo\\n" > notes.md']
  - { id: agent, phase: write, type: agent, agent: claude, prompt: Tidy the notes }
`;

function gitSandbox(): Sandbox & { record: string } {
  const box = sandbox();
  const definitions = join(box.project, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  writeFileSync(join(definitions, "edit-notes.yaml"), TEMPLATE);
  writeFileSync(join(box.project, "README.md"), "# demo\n");
  writeFileSync(join(box.project, ".gitignore"), ".agent/workflows/executions/\n");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: box.project });
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.email", "dev@example.com");
  git("config", "user.name", "Dev");
  git("add", ".");
  git("commit", "--quiet", "-m", "start");
  const record = join(box.home, "agent-call.json");
  Object.assign(box.env, fakeAgentEnv({ recordFile: record, sessionId: "sess-9" }, box.env.PATH));
  return { ...box, record };
}

async function finishedRun(box: Sandbox): Promise<string> {
  const run = await phaseboard(box, ["run", "edit-notes"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const runs = JSON.parse((await phaseboard(box, ["list", "--json"])).stdout) as { id: string }[];
  return runs[0]?.id ?? "";
}

describe("reviewing a run from the terminal", () => {
  it("shows the diff, sends a review that resumes the agent, then merges", async () => {
    const box = gitSandbox();
    const id = await finishedRun(box);

    const stat = await phaseboard(box, ["diff", id, "--stat"]);
    expect(stat.code).toBe(0);
    expect(stat.stdout).toMatch(/^A notes\.md {2}\+2 -0$/m);
    expect(stat.stdout).toContain("1 file(s) changed, 2 insertion(s)(+), 0 deletion(s)(-)");
    const patch = await phaseboard(box, ["diff", id]);
    expect(patch.stdout).toContain("+++ b/notes.md\n@@ -0,0 +1,2 @@\n+one\n+two\n");

    const review = await phaseboard(box, ["review", id, "-c", "notes.md:2 Spell it out"]);
    expect(review.stderr).toBe("");
    expect(review.code).toBe(0);
    expect(review.stdout).toMatch(/^review-1 completed: 1 comment\(s\) sent to claude/m);
    const call = JSON.parse(readFileSync(box.record, "utf8"));
    expect(call.call.resume).toBe("sess-9");
    expect(call.call.prompt).toContain("1. notes.md, line 2:\n   > two\n   Spell it out");

    const merged = await phaseboard(box, ["merge", id, "-m", "Add the notes"]);
    expect(merged.stderr).toBe("");
    expect(merged.stdout).toMatch(
      new RegExp(`^Merged ${id} into main \\(squash\\) at [0-9a-f]{7}$`, "m"),
    );
    expect(readFileSync(join(box.project, "notes.md"), "utf8")).toBe("one\ntwo\n");
  });

  it("refuses bad review comments and a discard without --yes, with exit 2", async () => {
    const box = gitSandbox();
    const id = await finishedRun(box);
    const bad = await phaseboard(box, ["review", id, "-c", "notes.md Spell it out"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected "path:line text"');
    const none = await phaseboard(box, ["review", id]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("at least one --comment");
    const elsewhere = await phaseboard(box, ["review", id, "-c", "src/x.ts:1 hm"]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('"src/x.ts" is not a file this run changed');

    const unconfirmed = await phaseboard(box, ["discard", id]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("add --yes to confirm");
    const discarded = await phaseboard(box, ["discard", id, "--yes"]);
    expect(discarded.code).toBe(0);
    expect(discarded.stdout).toContain(`${id} discarded`);
    const branches = execFileSync("git", ["branch", "--list", "phaseboard/*"], {
      cwd: box.project,
      encoding: "utf8",
    });
    expect(branches.trim()).toBe("");
    const gone = await phaseboard(box, ["diff", id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/worktree was removed/);
  });
});
