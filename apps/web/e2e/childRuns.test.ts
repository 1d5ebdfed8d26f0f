import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

// A parent that starts two child runs of another template, each on that template's board.
const parent = `name: Fan Out
phases: [fan]
steps:
  - id: attempts
    parallel:
      - { id: first, phase: fan, type: workflow, workflow: attempt, name: First attempt }
      - { id: second, phase: fan, type: workflow, workflow: attempt, name: Second attempt }
`;
const attempt = `name: Attempt
phases: [try]
steps:
  - { id: try, phase: try, type: script, command: echo tried }
`;

describe("child runs on the board", () => {
  let board: Board;
  beforeAll(async () => {
    board = await startBoard({ templates: { "fan-out.yaml": parent, "attempt.yaml": attempt } });
  });
  afterAll(async () => board?.close());

  it("shows how many child runs a card started, and links each child back to its parent", async () => {
    const { page } = board;
    const projects = (await (await fetch(`${board.apiUrl}/api/projects`)).json()) as {
      data: { id: string }[];
    };
    const projectId = projects.data[0]?.id;
    const definitions = (await (
      await fetch(`${board.apiUrl}/api/workflow-definitions?project_id=${projectId}`)
    ).json()) as { data: { id: string; identifier: string; error?: unknown }[] };
    const fanOut = definitions.data.find((d) => d.identifier === "fan-out");
    expect(fanOut?.error ?? null).toBeNull();
    const created = await fetch(`${board.apiUrl}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_id: projectId, workflow_definition_id: fanOut?.id }),
    });
    expect(created.status).toBe(201);
    // Finished first, so the board's first load already holds every child's last status.
    const runId = ((await created.json()) as { data: { id: string } }).data.id;
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${board.apiUrl}/api/workflow-executions/${runId}`)).json()) as {
              data: { status: string };
            }
          ).data.status,
        { timeout: 60_000, interval: 100 },
      )
      .toBe("completed");
    await page.goto(`${board.url}/?template=${fanOut?.id}`);
    const card = page.locator('article[aria-label="Fan Out"]');
    const children = card.locator('[data-child-runs="2"]');
    await children.getByText("2 child runs · 2 done").waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await children.click();
    const child = page.locator('article[aria-label="First attempt"]');
    await child.waitFor();
    // The children's own template is the one the board now shows.
    await expect
      .poll(() => page.getByRole("tab", { name: /^Attempt/ }).getAttribute("aria-selected"))
      .toBe("true");
    expect(await page.getByRole("tab", { name: /^Fan Out/ }).getAttribute("aria-selected")).toBe(
      "false",
    );
    await board.screenshot("board-child-runs");
    await child.getByRole("button", { name: "Child of Fan Out" }).click();
    await page.getByRole("dialog", { name: "Fan Out" }).waitFor();
  });
});
