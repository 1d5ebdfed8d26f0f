import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, startBoard } from "./harness.js";

const SLOW_TEMPLATE = `name: Slow
phases: [work]
steps:
  - { id: wait, name: Wait, phase: work, type: script, command: "sleep 30" }
`;

/**
 * A page on another loopback port: what any site the user visits could serve once it
 * knows (or guesses) Phaseboard's port.
 */
function startForeignSite(): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => {
    response.setHeader("content-type", "text/html");
    response.end("<!doctype html><title>Another site</title><p>nothing to see</p>");
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    }),
  );
}

describe("a page from another site in the user's browser", () => {
  let board: Board;
  let foreign: { server: Server; url: string };
  beforeAll(async () => {
    board = await startBoard({ templates: { "slow.yaml": SLOW_TEMPLATE } });
    foreign = await startForeignSite();
  });
  afterAll(async () => {
    foreign?.server.close();
    await board?.close();
  });

  it("cannot open the board's WebSocket, while the board itself streams live", async () => {
    const { page } = board;
    await page.goto(foreign.url);
    const outcome = await page.evaluate(
      (wsUrl) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(wsUrl);
          socket.onmessage = (event) => resolve(`message: ${String(event.data).slice(0, 80)}`);
          socket.onerror = () => resolve("error");
          setTimeout(() => resolve("timeout"), 10_000);
        }),
      `${board.url.replace(/^http/, "ws")}/ws`,
    );
    expect(outcome).toBe("error");

    await page.goto(board.url);
    await page.locator('[data-connection="live"]').waitFor();
  });

  it("cannot cancel a run with a simple cross-site POST", async () => {
    const projects = (await (await fetch(`${board.apiUrl}/api/projects`)).json()).data as {
      id: string;
    }[];
    const definitions = (
      await (
        await fetch(`${board.apiUrl}/api/workflow-definitions?project_id=${projects[0]?.id}`)
      ).json()
    ).data as { id: string }[];
    const created = await fetch(`${board.apiUrl}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        project_id: projects[0]?.id,
        workflow_definition_id: definitions[0]?.id,
        args: {},
      }),
    });
    expect(created.status).toBe(201);
    const runId = ((await created.json()) as { data: { id: string } }).data.id;

    const { page } = board;
    await page.goto(foreign.url);
    await page.evaluate(
      async ({ base, id }) => {
        // No preflight for any of these: the browser sends them and hides the answer.
        await fetch(`${base}/api/workflow-executions/${id}/cancel`, {
          method: "POST",
          mode: "no-cors",
        }).catch(() => undefined);
        await fetch(`${base}/api/workflow-executions/${id}/cancel`, {
          method: "POST",
          mode: "no-cors",
          headers: { "content-type": "text/plain" },
          body: "{}",
        }).catch(() => undefined);
        const form = new FormData();
        form.append("x", "1");
        await fetch(`${base}/api/workflow-executions/${id}/discard`, {
          method: "POST",
          mode: "no-cors",
          body: form,
        }).catch(() => undefined);
      },
      { base: board.apiUrl, id: runId },
    );
    const run = (await (await fetch(`${board.apiUrl}/api/workflow-executions/${runId}`)).json())
      .data as { status: string };
    expect(["pending", "running"]).toContain(run.status);

    // The board's own page still can.
    await page.goto(board.url);
    const status = await page.evaluate(async (id) => {
      const response = await fetch(`/api/workflow-executions/${id}/cancel`, { method: "POST" });
      return response.status;
    }, runId);
    expect(status).toBe(200);
  });
});
