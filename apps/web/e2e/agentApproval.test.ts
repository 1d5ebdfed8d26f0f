import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATED_TEMPLATE, scriptGate } from "../test/helpers/scriptGate.js";
import { type Board, startBoard } from "./harness.js";

/** The project's gated template: its id and the board showing it. */
async function gatedTemplate(board: Board) {
  const get = async <T>(path: string) =>
    ((await (await fetch(`${board.apiUrl}${path}`)).json()) as { data: T }).data;
  const projectId = (await get<{ id: string }[]>("/api/projects"))[0]?.id;
  const definitionId = (
    await get<{ id: string }[]>(`/api/workflow-definitions?project_id=${projectId}`)
  )[0]?.id;
  return { projectId, definitionId, boardUrl: `${board.url}/?template=${definitionId}` };
}

/** A run of the gated template waiting at its gate, and an MCP client holding its token. */
async function gatedRun(board: Board, name: string, gate: string) {
  const { projectId, definitionId } = await gatedTemplate(board);
  const created = await fetch(`${board.apiUrl}/api/workflow-executions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      project_id: projectId,
      workflow_definition_id: definitionId,
      name,
      args: { featureName: gate },
    }),
  });
  const run = ((await created.json()) as { data: { id: string } }).data;
  await scriptGate(board.projectDir).reached(gate);
  const agent = new Client({ name: "agent", version: "1.0.0" });
  await agent.connect(
    new StreamableHTTPClientTransport(new URL(`${board.apiUrl}/mcp`), {
      requestInit: {
        headers: { authorization: `Bearer ${board.server.app.runTokens.issue(run.id)}` },
      },
    }),
  );
  return agent;
}

describe("an agent's approval request on the board", () => {
  let board: Board;
  const clients: Client[] = [];
  beforeAll(async () => {
    board = await startBoard({ templates: { "gated.yaml": GATED_TEMPLATE } });
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await board?.close();
  });

  it("shows the question on the card and lets a person approve it from the card's menu", async () => {
    const { page } = board;
    await page.goto((await gatedTemplate(board)).boardUrl);
    const client = await gatedRun(board, "Deploy", "deploy");
    clients.push(client);
    const card = page.locator('section[data-column] article[aria-label="Deploy"]');
    await card.waitFor();
    const decision = client.callTool({
      name: "request_approval",
      arguments: { message: "Ship build 42 to staging?", wait_seconds: 50 },
    });
    // Awaited below; if the test fails first, closing the client must not leave it unhandled.
    decision.catch(() => undefined);
    await card
      .locator("[data-agent-approval]")
      .getByText("Ship build 42 to staging?", { exact: false })
      .waitFor({ timeout: 60_000 });
    await board.screenshot("agent-approval-requested");
    await card.getByRole("button", { name: "Actions for Deploy" }).click();
    await page.getByRole("menuitem", { name: "Approve" }).click();
    const answer = await decision;
    const text = (answer.content as { text: string }[])[0]?.text ?? "";
    expect(JSON.parse(text)).toMatchObject({ status: "approved" });
    await card.locator("[data-agent-approval]").waitFor({ state: "detached" });
    await board.screenshot("agent-approval-approved");
    scriptGate(board.projectDir).release("deploy");
    await page
      .locator('section[data-column] article[aria-label="Deploy"][data-status="completed"]')
      .waitFor({ timeout: 60_000 });
  });

  it("shows a question asked before the board was opened", async () => {
    const { page } = board;
    await page.goto("about:blank");
    const agent = await gatedRun(board, "Release", "release");
    clients.push(agent);
    try {
      await agent.callTool({
        name: "request_approval",
        arguments: { message: "Tag v2.0?", wait_seconds: 0 },
      });
      await page.goto((await gatedTemplate(board)).boardUrl);
      const card = page.locator('section[data-column] article[aria-label="Release"]');
      await card
        .locator("[data-agent-approval]")
        .getByText("Tag v2.0?", { exact: false })
        .waitFor();
    } finally {
      scriptGate(board.projectDir).release("release");
    }
  });
});
