import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

// Two finished runs with worktrees; the project declares a tiny node dev server as its
// preview. The card's Preview button starts it and links to it; the run page shows its log.

const template = `name: Make a page
phases: [build]
steps:
  - id: page
    name: Write the page
    phase: build
    type: script
    command: 'echo "page of $PHASEBOARD_PORT" > page.txt'
`;

const serve = `require("node:http")
  .createServer((request, response) => response.end(require("node:fs").readFileSync("page.txt")))
  .listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready on " + process.env.PORT));
`;

describe("previews on the board", () => {
  let board: Board;
  const runIds: string[] = [];
  const first = 30_000 + Math.floor(Math.random() * 2_000) * 10;
  beforeAll(async () => {
    board = await startBoard({
      templates: { "make-page.yaml": template },
      files: {
        "serve.js": serve,
        ".agent/phaseboard.yaml": "preview:\n  command: [node, serve.js]\n",
      },
      git: true,
      env: { PHASEBOARD_PORT_RANGE: `${first}-${first + 99}` },
    });
    const projects = (await (await fetch(`${board.apiUrl}/api/projects`)).json()) as {
      data: Array<{ id: string }>;
    };
    const project = projects.data[0]?.id ?? "";
    const definitions = (await (
      await fetch(`${board.apiUrl}/api/workflow-definitions?project_id=${project}`)
    ).json()) as { data: Array<{ id: string }> };
    for (const name of ["Landing page", "Pricing page"]) {
      const created = (await (
        await fetch(`${board.apiUrl}/api/workflow-executions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            project_id: project,
            workflow_definition_id: definitions.data[0]?.id,
            name,
          }),
        })
      ).json()) as { data: { id: string } };
      runIds.push(created.data.id);
    }
    for (const id of runIds) {
      for (let i = 0; i < 200; i++) {
        const run = (await (await fetch(`${board.apiUrl}/api/workflow-executions/${id}`)).json())
          .data as { status: string };
        if (run.status === "completed") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  afterAll(async () => {
    await board?.close();
  });

  it("starts two previews from their cards, each linking to its own port", async () => {
    const { page } = board;
    await page.goto(board.url);
    for (const [index, id] of runIds.entries()) {
      const card = page.locator(`article[data-run-id="${id}"]`);
      await card.getByRole("button", { name: "Preview" }).click();
      const link = card.locator("[data-preview-link]");
      await link.waitFor();
      const port = first + index * 10;
      expect(await link.getAttribute("href")).toBe(`http://127.0.0.1:${port}/`);
      expect(await link.textContent()).toContain(`127.0.0.1:${port}`);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe(`page of ${port}\n`);
    }
    // The click started the preview; it did not open the run.
    expect(new URL(page.url()).pathname).not.toContain("/runs/");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await board.screenshot("preview-board");
  });

  it("shows the preview's output on the run page and stops it", async () => {
    const { page } = board;
    const id = runIds[0] ?? "";
    await page.goto(`${board.url}/runs/${id}`);
    const log = page.locator("[data-preview-log]");
    await log.waitFor();
    await expect.poll(() => log.textContent()).toContain(`ready on ${first}`);
    expect(await log.textContent()).toContain("$ node serve.js");
    await board.screenshot("preview-run-page");
    await page.getByRole("button", { name: "Stop preview" }).click();
    await page.locator("[data-preview-status]").getByText("Preview stopped").waitFor();
    await expect(fetch(`http://127.0.0.1:${first}/`)).rejects.toThrow();
    await board.screenshot("preview-stopped");
  });
});
