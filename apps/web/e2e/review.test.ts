import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

// A script makes the changes (in TypeScript, Python and Markdown), then a fake Claude
// "reviews" them: the run has a diff and an agent session to send review comments to.
const template = `name: Tidy Utils
phases: [change, check]
steps:
  - id: change
    name: Change
    phase: change
    type: script
    command: |
      cat > src/math.ts <<'TS'
      /** Adds two numbers. */
      export function add(a: number, b: number): number {
        return a + b;
      }

      export const total = (values: number[]) => values.reduce(add, 0);
      TS
      printf 'def greet(name):\\n    return f"hello {name}"\\n' > greet.py
      rm old-notes.md
  - id: agent
    name: Review the change
    phase: check
    type: agent
    agent: claude
    prompt: Check the change
`;

const files = {
  "src/math.ts": "export function add(a, b) {\n  return a + b;\n}\n",
  "old-notes.md": "# Notes\n\nTo be removed.\n",
};

const saved = { ...process.env };

describe("reviewing a run's changes on the board", () => {
  let board: Board;
  let runId: string;
  beforeAll(async () => {
    Object.assign(process.env, fakeAgentEnv({ reply: "Checked it." }));
    board = await startBoard({ templates: { "tidy-utils.yaml": template }, files, git: true });
    const projects = (await (await fetch(`${board.apiUrl}/api/projects`)).json()) as {
      data: Array<{ id: string }>;
    };
    const project = projects.data[0]?.id ?? "";
    const definitions = (await (
      await fetch(`${board.apiUrl}/api/workflow-definitions?project_id=${project}`)
    ).json()) as { data: Array<{ id: string }> };
    const created = (await (
      await fetch(`${board.apiUrl}/api/workflow-executions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          project_id: project,
          workflow_definition_id: definitions.data[0]?.id,
          name: "Tidy the math helpers",
        }),
      })
    ).json()) as { data: { id: string } };
    runId = created.data.id;
    for (let i = 0; i < 200; i++) {
      const run = (await (await fetch(`${board.apiUrl}/api/workflow-executions/${runId}`)).json())
        .data as { status: string };
      if (run.status === "completed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(async () => {
    await board?.close();
    process.env = { ...saved };
  });

  it("shows the files changed, highlighted, unified and side by side", async () => {
    const { page } = board;
    await page.goto(`${board.url}/runs/${runId}`);
    await page.getByRole("tab", { name: /Review/ }).click();
    const files = page.getByRole("navigation", { name: "Changed files" });
    await expect
      .poll(async () => (await files.getByRole("listitem").allInnerTexts()).map(firstWord))
      .toEqual(["A", "D", "M"]);
    const math = page.locator('[data-diff-file="src/math.ts"]');
    // Prism tokens: the diff is highlighted for TypeScript.
    await math.locator(".token.keyword", { hasText: "export" }).first().waitFor();
    await board.screenshot("review-unified");
    await page.getByText("Side by side").click();
    await math.locator("table.diff-split").waitFor();
    await board.screenshot("review-split");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Switch to dark mode" }).click();
    await board.screenshot("review-split-dark");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Switch to light mode" }).click();
    await page.getByText("Unified", { exact: true }).click();
  });

  it("turns line comments into a follow-up that resumes the agent", async () => {
    const { page } = board;
    const math = page.locator('[data-diff-file="src/math.ts"]');
    // The line number of the added `total` line (new line 6).
    await math.locator("td.diff-gutter-insert", { hasText: /^6$/ }).click();
    await page
      .getByLabel("Comment on src/math.ts line 6")
      .fill("Name this `sum` and export a type.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await math.locator("[data-draft-comment]").waitFor();
    await page.getByLabel(/overall note/).fill("Good direction.");
    await board.screenshot("review-pending");
    await page.getByRole("button", { name: "Send to agent" }).click();
    await page.getByText(/Sent 1 comment to claude/).waitFor();
    await page.getByRole("tab", { name: "Steps" }).click();
    await page.getByRole("button", { name: /Review follow-up 1/ }).waitFor();
    await board.screenshot("review-follow-up");

    // Two agent sessions now: the next review can resume the first one instead.
    await page.getByRole("tab", { name: /Review/ }).click();
    await math.locator("td.diff-gutter-insert", { hasText: /^1$/ }).click();
    await page.getByLabel("Comment on src/math.ts line 1").fill("Say what it returns.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await page.getByLabel("Agent to resume").selectOption({ label: "Review the change (claude)" });
    await page.getByRole("button", { name: "Send to agent" }).click();
    await page.getByText(/Sent 1 comment to claude/).waitFor();
    const run = (await (await fetch(`${board.apiUrl}/api/workflow-executions/${runId}`)).json())
      .data as {
      steps: Array<{ id: string; step_id: string }>;
      comments: Array<{ text: string; workflow_run_step_id: string }>;
    };
    const reviewed = run.steps.find((step) => step.step_id === "agent");
    expect(
      run.comments.filter((c) => c.workflow_run_step_id === reviewed?.id).map((c) => c.text),
    ).toContain("**Review** · `src/math.ts:1`\n\nSay what it returns.");
    await expect
      .poll(async () => {
        const detail = (
          await (await fetch(`${board.apiUrl}/api/workflow-executions/${runId}`)).json()
        ).data as { steps: Array<{ step_id: string; status: string }> };
        return detail.steps.find((step) => step.step_id === "review-2")?.status;
      })
      .toBe("completed");
  });

  it("refuses to merge into a checkout with uncommitted changes, then merges once it is clean", async () => {
    const { page } = board;
    writeFileSync(join(board.projectDir, "old-notes.md"), "# Notes\n\nEdited by hand.\n");
    await page.getByRole("tab", { name: /Review/ }).click();
    await page.getByRole("button", { name: "Merge…" }).click();
    await page.getByRole("button", { name: "Squash and merge" }).click();
    await page.getByText("Not merged").waitFor();
    await page
      .getByText(/the project's checkout has uncommitted changes \(old-notes.md\)/)
      .waitFor();
    await board.screenshot("review-merge-refused");

    execFileSync("git", ["checkout", "--", "old-notes.md"], { cwd: board.projectDir });
    await page.getByRole("button", { name: "Merge…" }).click();
    await page.getByLabel("Commit message").fill("Tidy the math helpers");
    await page.getByRole("button", { name: "Squash and merge" }).click();
    await page.getByText(/Merged into main \(squash\) at [0-9a-f]{7}/).waitFor();
    const log = execFileSync("git", ["log", "--format=%s", "-1"], {
      cwd: board.projectDir,
      encoding: "utf8",
    });
    expect(log.trim()).toBe("Tidy the math helpers");
  });
});

function firstWord(text: string): string {
  return text.trim().split(/\s+/)[0] ?? "";
}
