import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

const hello = `name: Hello
phases: [greet]
steps:
  - { id: greet, name: Greet, phase: greet, type: script, command: echo hi }
`;

describe("the Add project dialog", () => {
  let board: Board;
  let other: string;
  beforeAll(async () => {
    board = await startBoard({ templates: { "hello.yaml": hello } });
    other = mkdtempSync(join(tmpdir(), "phaseboard-e2e-other-"));
    mkdirSync(join(other, ".agent", "workflows", "definitions"), { recursive: true });
    writeFileSync(join(other, ".agent", "workflows", "definitions", "hello.yaml"), hello);
    writeFileSync(join(other, "notes.txt"), "a file, not a folder\n");
  });
  afterAll(async () => {
    await board?.close();
    rmSync(other, { recursive: true, force: true });
  });

  it("shows the server's refusal for a bad path, adds nothing, then adds a repository and switches to it", async () => {
    const { page } = board;
    await page.goto(board.url);
    await page.getByRole("button", { name: "Add project" }).click();
    const dialog = page.getByRole("dialog", { name: "Add project" });
    const path = dialog.getByLabel("Path");
    const submit = dialog.getByRole("button", { name: "Add project" });
    const projectCount = async () =>
      ((await (await fetch(`${board.apiUrl}/api/projects`)).json()) as { data: unknown[] }).data
        .length;

    await path.fill(join(other, "missing"));
    await submit.click();
    await dialog
      .getByRole("alert")
      .getByText(/does not exist|no such|not found/i)
      .waitFor();
    await board.screenshot("add-project-missing-path");

    await path.fill(join(other, "notes.txt"));
    await submit.click();
    await dialog
      .getByRole("alert")
      .getByText(/not a (directory|folder)/i)
      .waitFor();
    await board.screenshot("add-project-file-path");

    await path.fill("relative/path");
    await submit.click();
    // Refused either way: not absolute, or (resolved against the server's folder) missing.
    await dialog
      .getByRole("alert")
      .getByText(/absolute|does not exist/i)
      .waitFor();
    expect(await projectCount()).toBe(1);

    await path.fill(other);
    await dialog.getByLabel("Name").fill("Other repository");
    await board.screenshot("add-project-dialog");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await submit.click();
    await dialog.waitFor({ state: "hidden" });
    await expect
      .poll(() => page.locator("#project-picker option:checked").textContent())
      .toBe("Other repository");
    expect(new URL(page.url()).searchParams.get("project")).toBeTruthy();
    await page.getByRole("button", { name: "Run Hello" }).waitFor();
    expect(await projectCount()).toBe(2);
    await board.screenshot("add-project-switched");
  });
});
