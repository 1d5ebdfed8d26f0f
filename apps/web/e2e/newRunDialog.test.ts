import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, startBoard } from "./harness.js";

const first = `name: Alpha Task
phases: [work]
steps:
  - { id: work, name: Work, phase: work, type: script, command: echo alpha }
`;

// Every kind of JSON-Schema field the shipped templates use.
const second = `name: Beta Task
argsSchema:
  type: object
  properties:
    title: { type: string, title: Title }
    rounds: { type: integer, title: Rounds, default: 2 }
    mode: { type: string, title: Mode, enum: [fast, careful] }
    dryRun: { type: boolean, title: Dry run }
    agents:
      type: array
      title: Agents
      uniqueItems: true
      items: { type: string, enum: [claude, codex, gemini] }
    labels: { type: array, title: Labels, items: { type: string } }
    limits:
      type: object
      title: Limits
      properties:
        usd: { type: number, title: Dollars }
phases: [work]
steps:
  - { id: work, name: Work, phase: work, type: script, command: echo beta }
`;

describe("the New run dialog", () => {
  let board: Board;
  beforeAll(async () => {
    board = await startBoard({ templates: { "alpha.yaml": first, "beta.yaml": second } });
  });
  afterAll(async () => board?.close());

  it("starts on the template of the board being viewed, from the header", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("tab", { name: /Beta Task/ }).click();
    await page.getByRole("banner").getByRole("button", { name: "New run" }).click();
    const dialog = page.getByRole("dialog", { name: "New run" });
    const picker = dialog.getByLabel("Template");
    await picker.waitFor();
    expect(await picker.locator("option:checked").textContent()).toBe("Beta Task");
    // Every field of the schema has a label.
    for (const label of ["Title", "Rounds", "Mode", "Dry run", "Agents", "Labels", "Limits"]) {
      await dialog.getByText(label, { exact: false }).first().waitFor();
    }
    // A list of choices is a set of labelled checkboxes; a list of strings has a named Add.
    await dialog.getByRole("checkbox", { name: "codex" }).check();
    await dialog.getByRole("button", { name: /Add/ }).click();
    await dialog.getByRole("button", { name: /Remove/ }).waitFor();
    await board.screenshot("new-run-dialog-fields");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("tab", { name: /Alpha Task/ }).click();
    await page.getByRole("banner").getByRole("button", { name: "New run" }).click();
    expect(
      await page
        .getByRole("dialog", { name: "New run" })
        .getByLabel("Template")
        .locator("option:checked")
        .textContent(),
    ).toBe("Alpha Task");
  });
});
