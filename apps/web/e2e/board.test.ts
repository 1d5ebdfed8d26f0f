import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

// Script steps stand in for agents: real processes the engine runs, quick and offline.
const template = `name: Ship Feature
description: Plan, build and verify a feature
argsSchema:
  type: object
  properties:
    feature:
      type: string
      title: Feature
      minLength: 3
  required: [feature]
phases: [plan, build, verify]
steps:
  - id: plan
    name: Plan
    phase: plan
    type: script
    command: echo planning {{ args.feature }}
  - id: build
    name: Build
    phase: build
    type: script
    command: sleep 1 && printf '\\033[32mbuilt\\033[0m\\n'
  - id: verify
    name: Verify
    phase: verify
    type: script
    command: echo verified
`;

const slowTemplate = `name: Long Task
phases: [work, check]
steps:
  - id: work
    name: Work
    phase: work
    type: script
    command: sleep 20
  - id: check
    name: Check
    phase: check
    type: script
    command: echo checked
`;

describe("launching and discussing a run, against the real server", () => {
  let board: Board;
  beforeAll(async () => {
    board = await startBoard({ templates: { "ship-feature.yaml": template } });
  });
  afterAll(async () => board?.close());

  it("refuses arguments the template's schema rejects, then launches and shows the card at once", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("button", { name: "Run Ship Feature" }).click();
    const dialog = page.getByRole("dialog", { name: "New run" });
    await dialog.getByLabel("Run name").fill("Add search");
    await dialog.getByLabel(/Feature/).fill("ab");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await dialog.getByText(/must NOT have fewer than 3 characters/).waitFor();
    const runsBefore = await listRuns(board);
    expect(runsBefore).toEqual([]);
    await dialog.getByLabel(/Feature/).fill("search box");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await page.locator('article[aria-label="Add search"]').waitFor();
    expect((await listRuns(board)).map((run) => run.name)).toEqual(["Add search"]);
    await board.screenshot("board-launched");
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("opens the run and comments on it in Markdown", async () => {
    const { page } = board;
    await page.locator('article[aria-label="Add search"]').click();
    const drawer = page.getByRole("dialog", { name: "Add search" });
    await drawer.getByLabel("Write a comment").fill("Please keep it **small**");
    await drawer.getByRole("button", { name: "Comment" }).click();
    await drawer.locator("li[data-comment-id] strong", { hasText: "small" }).waitFor();
    await page.locator('article[aria-label="Add search"] [data-comments="1"]').waitFor();
    await board.screenshot("run-drawer");
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("lists the template with its phases and steps on the Templates page", async () => {
    const { page } = board;
    await page.goto(`${board.url}/templates`);
    const card = page.getByRole("article", { name: "Ship Feature" });
    await card.getByRole("list", { name: "Phases" }).getByText("verify", { exact: true }).waitFor();
    await card.getByRole("button", { name: "Source" }).click();
    await board.screenshot("templates");
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

async function listRuns(board: Board): Promise<{ name: string }[]> {
  const projects = (await (await fetch(`${board.apiUrl}/api/projects`)).json()) as {
    data: { id: string }[];
  };
  const runs = (await (
    await fetch(`${board.apiUrl}/api/workflow-executions?project_id=${projects.data[0]?.id}`)
  ).json()) as { data: { name: string }[] };
  return runs.data;
}

describe("a day on the board, against the real server", () => {
  let board: Board;
  beforeAll(async () => {
    board = await startBoard({
      templates: { "ship-feature.yaml": template, "long-task.yaml": slowTemplate },
    });
  });
  afterAll(async () => board?.close());

  const card = (name: string) => board.page.locator(`article[aria-label="${name}"]`);
  const column = (id: string) => board.page.locator(`section[data-column="${id}"]`);

  it("launches a run from a template and watches its card cross the columns to Done", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("tab", { name: /Ship Feature/ }).click();
    await page.getByRole("button", { name: "Run Ship Feature" }).click();
    const dialog = page.getByRole("dialog", { name: "New run" });
    await dialog.getByLabel("Run name").fill("Add search");
    // Too short for the schema: refused inline, nothing sent.
    await dialog.getByLabel(/Feature/).fill("ab");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await dialog.getByText(/must NOT have fewer than 3 characters/).waitFor();
    await dialog.getByLabel(/Feature/).fill("search box");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await card("Add search").waitFor();
    await column("phase:build").locator('article[aria-label="Add search"]').waitFor();
    await board.screenshot("board-running");
    await column("__done").locator('article[aria-label="Add search"]').waitFor({ timeout: 60_000 });
    expect(await card("Add search").getAttribute("data-status")).toBe("completed");
  });

  it("opens the run, comments, uploads a PNG, pastes one and attaches it to a comment", async () => {
    const { page } = board;
    await card("Add search").click();
    const drawer = page.getByRole("dialog", { name: "Add search" });
    await drawer.getByRole("button", { name: /Build/ }).click();
    await drawer.getByRole("log").getByText("built").waitFor();

    await drawer.getByLabel("Write a comment").fill("Build looks **good**");
    await drawer.getByRole("button", { name: "Comment" }).click();
    await drawer.locator("li[data-comment-id]").getByText("good").waitFor();

    const png = await page.screenshot();
    await drawer.getByTestId("artifact-input").setInputFiles({
      name: "board.png",
      mimeType: "image/png",
      buffer: png,
    });
    await drawer.getByRole("button", { name: "Open board.png" }).waitFor();

    await drawer.getByLabel("Write a comment").fill("Here is the screenshot");
    await drawer.getByLabel("Write a comment").evaluate(
      (textarea, bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], "image.png", { type: "image/png" }));
        textarea.dispatchEvent(
          new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
        );
      },
      [...png],
    );
    await drawer.getByRole("list", { name: "Attached to this comment" }).waitFor();
    await drawer.getByRole("button", { name: "Comment" }).click();
    await drawer
      .locator("li[data-comment-id]", { hasText: "Here is the screenshot" })
      .locator("img")
      .waitFor();
    await board.screenshot("run-page");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
  });

  it("pauses a running run now, and resumes it", async () => {
    const { page } = board;
    await page.getByRole("tab", { name: /Long Task/ }).click();
    await page.getByRole("button", { name: "Run Long Task" }).click();
    const dialog = page.getByRole("dialog", { name: "New run" });
    await dialog.getByLabel("Run name").fill("Slow one");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await column("phase:work")
      .locator('article[aria-label="Slow one"][data-status="running"]')
      .waitFor();
    await page.getByRole("button", { name: "Actions for Slow one" }).click();
    await page.getByRole("menuitem", { name: "Pause now" }).click();
    await card("Slow one").locator('[data-status="paused"]').first().waitFor();
    await page.getByRole("button", { name: "Actions for Slow one" }).click();
    await page.getByRole("menuitem", { name: "Resume" }).click();
    await card("Slow one").locator('[data-status="running"]').first().waitFor();
    await page.getByRole("button", { name: "Actions for Slow one" }).click();
    await page.getByRole("menuitem", { name: "Cancel run" }).click();
    await card("Slow one").locator('[data-status="cancelled"]').first().waitFor();
  });

  it("rewinds a finished run by dragging its card back to an earlier phase", async () => {
    const { page } = board;
    await page.getByRole("tab", { name: /Ship Feature/ }).click();
    const from = card("Add search");
    const target = column("phase:plan");
    const start = await from.boundingBox();
    const end = await target.boundingBox();
    if (!start || !end) throw new Error("card or column not on screen");
    await page.mouse.move(start.x + 40, start.y + 20);
    await page.mouse.down();
    await page.mouse.move(start.x + 60, start.y + 30, { steps: 5 });
    await page.mouse.move(end.x + end.width / 2, end.y + 120, { steps: 15 });
    // The board may scroll under the pointer while it drags: aim again until the column holds still.
    for (let i = 0; i < 10; i++) {
      const now = await target.boundingBox();
      if (!now) throw new Error("column left the screen");
      await page.mouse.move(now.x + now.width / 2, now.y + 120, { steps: 3 });
      const after = await target.boundingBox();
      if (after && Math.abs(after.x - now.x) < 1) break;
    }
    await page.mouse.up();
    const confirm = page.getByRole("alertdialog", { name: /Rewind “Add search” to plan/ });
    await confirm.waitFor();
    await board.screenshot("rewind-confirm");
    await confirm.getByRole("button", { name: "Rewind to plan" }).click();
    await column("__done").locator('article[aria-label="Add search"]').waitFor({ timeout: 60_000 });
  });

  it("refuses a keyboard drop on a later phase and says why, leaving the card in place", async () => {
    const { page } = board;
    await page.getByRole("tab", { name: /Long Task/ }).click();
    await page.locator('[role="group"][aria-label^="Slow one"]').focus();
    // Each key waits for the board to show its effect, as a person would see it.
    await page.keyboard.press("Space");
    await page.locator('[data-column="phase:work"][data-drop-target]').waitFor();
    // dnd-kit listens for the next key a moment after the drag starts; a key pressed
    // sooner is not seen, so press again while the card has not moved (as a person would).
    const checkIsTarget = page.locator('[data-column="phase:check"][data-drop-target]');
    for (let attempt = 0; attempt < 10; attempt++) {
      await page.keyboard.press("ArrowRight");
      const moved = await checkIsTarget
        .waitFor({ timeout: 500 })
        .then(() => true)
        .catch(() => false);
      if (moved) break;
    }
    await checkIsTarget.waitFor();
    await page.keyboard.press("Space");
    await page.getByText(/Runs move forward on their own/).waitFor();
    await column("phase:work").locator('article[aria-label="Slow one"]').waitFor();
  });
});
