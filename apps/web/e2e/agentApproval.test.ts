import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATED_TEMPLATE, scriptGate } from "../test/helpers/scriptGate.js";
import { type Board, startBoard } from "./harness.js";

describe("an agent's approval request on the board", () => {
  let board: Board;
  let client: Client | undefined;
  beforeAll(async () => {
    board = await startBoard({ templates: { "gated.yaml": GATED_TEMPLATE } });
  });
  afterAll(async () => {
    await client?.close();
    await board?.close();
  });

  it("shows the question on the card and lets a person approve it from the card's menu", async () => {
    const { page } = board;
    const get = async <T>(path: string) =>
      ((await (await fetch(`${board.apiUrl}${path}`)).json()) as { data: T }).data;
    const projectId = (await get<{ id: string }[]>("/api/projects"))[0]?.id;
    const definitionId = (
      await get<{ id: string }[]>(`/api/workflow-definitions?project_id=${projectId}`)
    )[0]?.id;
    await page.goto(`${board.url}/?template=${definitionId}`);
    const created = await fetch(`${board.apiUrl}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        project_id: projectId,
        workflow_definition_id: definitionId,
        name: "Deploy",
        args: { featureName: "deploy" },
      }),
    });
    const run = ((await created.json()) as { data: { id: string } }).data;
    await scriptGate(board.projectDir).reached("deploy");
    const card = page.locator('section[data-column] article[aria-label="Deploy"]');
    await card.waitFor();

    client = new Client({ name: "agent", version: "1.0.0" });
    const token = board.server.app.runTokens.issue(run.id);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${board.apiUrl}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
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
});
