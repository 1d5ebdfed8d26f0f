import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

describe("the board in a browser, against the real server", () => {
  let board: Board;
  beforeAll(async () => {
    board = await startBoard();
  });
  afterAll(async () => board?.close());

  it("renders the app shell", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("link", { name: "Phaseboard" }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await board.screenshot("smoke-board");
    expect(await page.title()).toBe("Phaseboard");
  });

  it("shows the page a reload of a board URL lands on, not a 404", async () => {
    const { page } = board;
    await page.goto(`${board.url}/templates`);
    await page.getByRole("link", { name: "Templates" }).waitFor();
    await board.screenshot("smoke-templates");
  });

  it("has no serious accessibility violations on the first screen", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("teaches how to add a first template when the project has none", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.locator('[data-empty-state="templates"]').waitFor();
    await page.getByRole("button", { name: "Copy file" }).waitFor();
    await board.screenshot("empty-state");
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("shows a lost live connection and recovers without a reload", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.locator('[data-connection="live"]').waitFor();
    await board.restartServer(async () => {
      await page.locator('[data-connection="reconnecting"]').waitFor();
      await board.screenshot("connection-lost");
    });
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
  });
});
