import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, startBoard } from "./harness.js";

// Fake agent CLIs replaying the real formats: each claude step reports $0.0123.
const template = `name: Spend
phases: [plan, build]
steps:
  - { id: plan, name: Plan, phase: plan, type: agent, agent: claude, prompt: plan it }
  - { id: build, name: Build, phase: build, type: agent, agent: claude, prompt: build it }
`;

describe("what runs cost, and the project's config, on the board", () => {
  let board: Board;
  const saved = { ...process.env };
  beforeAll(async () => {
    Object.assign(process.env, fakeAgentEnv());
    board = await startBoard({ templates: { "spend.yaml": template } });
    writeFileSync(join(board.projectDir, ".agent", "phaseboard.yaml"), "budget: { usd: 5 }\n");
  });
  afterAll(async () => {
    await board?.close();
    process.env = { ...saved };
  });

  it("shows a card's cost, the project's total against its budget, then a banner when the config breaks", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("button", { name: "Run Spend" }).click();
    const dialog = page.getByRole("dialog", { name: "New run" });
    await dialog.getByLabel("Run name").fill("Price the search");
    await dialog.getByRole("button", { name: "Start run" }).click();
    const card = page.locator('article[aria-label="Price the search"]');
    await page
      .locator('section[data-column="__done"] article[aria-label="Price the search"]')
      .waitFor({ timeout: 60_000 });
    await card.locator("[data-cost]").getByText("$0.02").waitFor();
    await page.locator("[data-project-cost]").getByText("Project $0.02 of $5.00").waitFor();
    // The finished run's spending counts in the Done column, not the one it left.
    await page
      .locator('section[data-column="__done"] [data-column-cost]')
      .getByText("$0.02")
      .waitFor();
    await board.screenshot("board-costs");

    // The run page totals each phase.
    await card.click();
    const drawer = page.getByRole("dialog", { name: "Price the search" });
    await drawer.locator('[data-phase-cost="plan"]').getByText("$0.01").waitFor();
    await drawer.locator('[data-phase-cost="build"]').getByText("$0.01").waitFor();
    await board.screenshot("run-phase-costs");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });

    // A typo in the file: the banner appears without a reload, with the place of the error.
    writeFileSync(
      join(board.projectDir, ".agent", "phaseboard.yaml"),
      "budget: { usd: 5 }\nworkspace:\n  setpu: pnpm install\n",
    );
    const banner = page.locator("[data-config-error]");
    await banner.waitFor();
    expect(await banner.textContent()).toContain(
      "phaseboard.yaml:3:3 workspace.setpu: unknown key; expected setup, cleanup or setup_timeout",
    );
    await board.screenshot("board-config-error");
  });
});
