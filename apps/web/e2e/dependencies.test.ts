import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATED_TEMPLATE, scriptGate } from "../test/helpers/scriptGate.js";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

interface ApiRun {
  id: string;
  status: string;
  after_ids?: string[];
  prerequisites?: { id: string }[];
}

describe("card dependencies on the board", () => {
  let board: Board;
  let projectId: string;
  let definitionId: string;
  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${board.apiUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return ((await response.json()) as { data: T }).data;
  };
  const start = (gate: string, name: string, after?: string[]) =>
    api<ApiRun>("/api/workflow-executions", {
      project_id: projectId,
      workflow_definition_id: definitionId,
      name,
      args: { featureName: gate },
      ...(after && { after }),
    });

  beforeAll(async () => {
    board = await startBoard({ templates: { "gated.yaml": GATED_TEMPLATE } });
    projectId = (await api<{ id: string }[]>("/api/projects"))[0]?.id ?? "";
    definitionId =
      (await api<{ id: string }[]>(`/api/workflow-definitions?project_id=${projectId}`))[0]?.id ??
      "";
  });
  afterAll(async () => board?.close());

  /** Drags one card by the pointer and drops it on the middle of another. */
  async function dragOnto(from: string, to: string) {
    const { page } = board;
    const source = await page
      .locator(`section[data-column] article[aria-label="${from}"]`)
      .boundingBox();
    const target = page.locator(`section[data-column] article[aria-label="${to}"]`);
    const box = await target.boundingBox();
    if (!source || !box) throw new Error("a card is not on screen");
    await page.mouse.move(source.x + source.width / 2, source.y + 14);
    await page.mouse.down();
    await page.mouse.move(source.x + source.width / 2 + 10, source.y + 24, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 12 });
    // The target says what a drop now means before the button is let go.
    await page
      .locator(`section[data-column] article[aria-label="${to}"][data-link-target]`)
      .waitFor();
    await board.screenshot(`dependencies-dragging-${from.replaceAll(" ", "-")}`);
    await page.mouse.up();
  }

  it("links a card to another by drag, shows it Blocked with what it waits for, and starts it when both finished", async () => {
    const { page } = board;
    const gate = scriptGate(board.projectDir);
    const api1 = await start("api", "Build API");
    const ui = await start("ui", "Build UI");
    const ship = await start("ship", "Ship release", [api1.id]);
    expect(ship.status).toBe("blocked");
    gate.release("ship");
    await gate.reached("api");
    await gate.reached("ui");

    await page.goto(`${board.url}/?template=${definitionId}`);
    const shipCard = page.locator('section[data-column] article[aria-label="Ship release"]');
    await shipCard.locator('[data-prerequisite-status="running"]').first().waitFor();
    await board.screenshot("dependencies-1-before-link");

    await dragOnto("Ship release", "Build UI");
    await page.getByText("“Ship release” starts after “Build UI”").waitFor();
    await shipCard.locator(`[data-prerequisite="${ui.id}"]`).waitFor();
    expect(await shipCard.getAttribute("data-status")).toBe("blocked");
    expect(await shipCard.locator("[data-waits-for]").textContent()).toBe(
      "Waits forBuild API(running)Build UI(running)",
    );
    expect(
      (await api<ApiRun>(`/api/workflow-executions/${ship.id}`)).prerequisites?.map((r) => r.id),
    ).toEqual([api1.id, ui.id]);

    // Hovering the blocked card marks both of its prerequisites and draws the two links.
    await shipCard.hover();
    await page
      .locator(
        'section[data-column] article[aria-label="Build API"][data-link-role="prerequisite"]',
      )
      .waitFor();
    await page
      .locator('section[data-column] article[aria-label="Build UI"][data-link-role="prerequisite"]')
      .waitFor();
    await page.locator('svg[data-dependency-arrows="2"]').waitFor();
    await board.screenshot("dependencies-2-linked-hover");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A running card cannot wait for another: the server says why and nothing changes.
    await dragOnto("Build API", "Build UI");
    await page.getByText(/Could not link “Build API”: .*started/).waitFor();
    await board.screenshot("dependencies-3-refused");
    expect((await api<ApiRun>(`/api/workflow-executions/${api1.id}`)).prerequisites).toEqual([]);
    expect(
      await page
        .locator('section[data-column] article[aria-label="Build API"]')
        .getAttribute("data-status"),
    ).toBe("running");

    // One prerequisite done is not enough; both are.
    gate.release("api");
    await page
      .locator('section[data-column] article[aria-label="Build API"][data-status="completed"]')
      .waitFor();
    await shipCard
      .locator(`[data-prerequisite="${api1.id}"][data-prerequisite-status="completed"]`)
      .waitFor();
    expect(await shipCard.getAttribute("data-status")).toBe("blocked");
    gate.release("ui");
    await page
      .locator('section[data-column] article[aria-label="Ship release"][data-status="completed"]')
      .waitFor({
        timeout: 60_000,
      });
    await board.screenshot("dependencies-4-started-and-done");

    // The run page lists the links both ways.
    await page.goto(`${board.url}/runs/${ship.id}?project=${projectId}`);
    const waitsFor = page.getByTestId("waits-for");
    await waitsFor.getByRole("link", { name: "Build API" }).waitFor();
    await waitsFor.getByRole("link", { name: "Build UI" }).waitFor();
    await board.screenshot("dependencies-5-run-page");
    await page.goto(`${board.url}/runs/${ui.id}?project=${projectId}`);
    await page.getByTestId("unblocks").getByRole("link", { name: "Ship release" }).waitFor();

    // The New run dialog offers the project's runs to start a new one after.
    await page.goto(`${board.url}/?template=${definitionId}`);
    await page.getByRole("banner").getByRole("button", { name: "New run" }).click();
    const picker = page
      .getByRole("dialog", { name: "New run" })
      .getByRole("list", { name: "Runs to start after" });
    await picker.getByText("Ship release").waitFor();
    await picker.scrollIntoViewIfNeeded();
    await board.screenshot("dependencies-6-new-run-start-after");
    await page.keyboard.press("Escape");
  });
  it("links a card from the keyboard through its menu's Start after…", async () => {
    const { page } = board;
    const gate = scriptGate(board.projectDir);
    const docs = await start("docs", "Write docs");
    const announce = await start("announce", "Announce", [docs.id]);
    await gate.reached("docs");
    await page.goto(`${board.url}/?template=${definitionId}`);
    const card = page.locator('section[data-column] article[aria-label="Announce"]');
    await card.waitFor();
    await card.getByRole("button", { name: "Actions for Announce" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Start after…" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Start “Announce” after…" });
    await dialog.getByLabel("Search runs").fill("build ui");
    await dialog.getByRole("checkbox", { name: /Build UI/ }).focus();
    await page.keyboard.press("Space");
    await dialog.getByRole("button", { name: "Start after these" }).focus();
    await board.screenshot("dependencies-7-start-after-dialog");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await card.locator("[data-waits-for]").getByText("Build UI").waitFor();
    const linked = await api<ApiRun>(`/api/workflow-executions/${announce.id}`);
    expect(linked.prerequisites?.map((r) => r.id)).toHaveLength(2);
    gate.release("announce");
    gate.release("docs");
    await page
      .locator('section[data-column] article[aria-label="Announce"][data-status="completed"]')
      .waitFor({ timeout: 60_000 });
  });
});
