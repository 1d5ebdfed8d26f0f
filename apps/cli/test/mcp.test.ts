import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { binary, phaseboard, sandbox } from "./phaseboardBinary.js";

async function stdioClient(box: ReturnType<typeof sandbox>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binary, "mcp"],
    cwd: box.project,
    env: box.env as Record<string, string>,
    stderr: "pipe",
  });
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

function json(result: Awaited<ReturnType<Client["callTool"]>>) {
  const text = (result.content as { text: string }[])[0]?.text ?? "";
  if (result.isError) throw new Error(text);
  return JSON.parse(text);
}

// Each client starts the board embedded in the bridge's process: minutes on a loaded machine.
describe("phaseboard mcp (stdio)", { timeout: 240_000 }, () => {
  it("drives the board through the tools, and answers bad arguments with the validation message", async () => {
    const box = sandbox();
    expect((await phaseboard(box, ["init"])).code).toBe(0);
    const { client } = await stdioClient(box);
    try {
      const templates = json(await client.callTool({ name: "list_templates", arguments: {} }));
      expect(templates.map((t: { identifier: string }) => t.identifier)).toContain("hello");
      const started = json(
        await client.callTool({
          name: "start_run",
          arguments: { template: "hello", args: { who: "mcp" } },
        }),
      );
      let run = json(await client.callTool({ name: "get_run", arguments: { run_id: started.id } }));
      for (let i = 0; i < 300 && run.status !== "completed"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = json(await client.callTool({ name: "get_run", arguments: { run_id: started.id } }));
      }
      expect(run.status).toBe("completed");
      const bad = await client.callTool({
        name: "get_run",
        arguments: { run_id: started.id, extra: 1 },
      });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toMatch(/Input validation error.*extra/);
    } finally {
      await client.close();
    }
  });

  it("ends when the client closes in the middle of a call, and the board stays as it was", async () => {
    const box = sandbox();
    expect((await phaseboard(box, ["init"])).code).toBe(0);
    const { client, transport } = await stdioClient(box);
    const pid = transport.pid;
    const call = client.callTool({ name: "list_runs", arguments: {} }).catch((error) => error);
    await client.close();
    expect(await call).toBeInstanceOf(Error);
    // The bridge process is gone, not left running.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(() => process.kill(pid ?? -1, 0)).toThrow();
    // A new client sees the same board: nothing was started or half-written.
    const again = await stdioClient(box);
    try {
      expect(json(await again.client.callTool({ name: "list_runs", arguments: {} }))).toEqual([]);
    } finally {
      await again.client.close();
    }
  });
});
