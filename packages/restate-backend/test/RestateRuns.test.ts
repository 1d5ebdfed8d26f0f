import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RestateRuns } from "../src/RestateRuns.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** An ingress stand-in: answers attach requests with `respond`, counting them. */
async function ingress(respond: (n: number, res: import("node:http").ServerResponse) => void) {
  const paths: string[] = [];
  server = createServer((req, res) => {
    paths.push(req.url ?? "");
    respond(paths.length, res);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths };
}

describe("RestateRuns.result", () => {
  it("attaches again when the ingress drops the connection, as a failover does", async () => {
    const { url, paths } = await ingress((n, res) => {
      if (n <= 2) {
        res.socket?.destroy(); // the node went away mid-request
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ runId: "r1", status: "completed", result: 7 }));
    });
    const outcome = await new RestateRuns(url).result("r1");
    expect(outcome).toEqual({ runId: "r1", status: "completed", result: 7 });
    expect(paths).toHaveLength(3);
    expect(new Set(paths)).toEqual(new Set(["/restate/workflow/PhaseboardRun/r1/attach"]));
  });

  it("does not retry an answer that is not about the connection", async () => {
    const { url, paths } = await ingress((_n, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "not found" }));
    });
    await expect(new RestateRuns(url).result("r2")).rejects.toThrow(/404/);
    expect(paths).toHaveLength(1);
  });
});
