import type { AddressInfo } from "node:net";
import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";
import { type ConnectionState, LiveConnection } from "./liveConnection";

function listen(port = 0): Promise<WebSocketServer> {
  return new Promise((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ port, host: "127.0.0.1" }, (): void =>
      resolve(server),
    );
  });
}

function nextState(connection: LiveConnection, wanted: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    if (connection.getState() === wanted) return resolve();
    const stop = connection.onChange(() => {
      if (connection.getState() === wanted) {
        stop();
        resolve();
      }
    });
  });
}

const run: Run = {
  id: "r1",
  project_id: "p1",
  workflow_definition_id: "d1",
  name: "Add search",
  status: "running",
  current_phase: "plan",
  position: "a0",
  created_at: "2026-01-01T00:00:00.000Z",
};

describe("LiveConnection", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("subscribes to the project, patches the cache from events, and says it is live", async () => {
    const server = await listen();
    cleanups.push(() => server.close());
    const received: unknown[] = [];
    server.on("connection", (socket) => {
      socket.on("message", (data) => {
        received.push(JSON.parse(String(data)));
        socket.send(
          JSON.stringify({
            type: "workflow.execution.phase_changed",
            data: { project_id: "p1", execution_id: "r1", current_phase: "build" },
          }),
        );
      });
    });
    const client = new QueryClient();
    client.setQueryData(queryKeys.runs("p1"), [run]);
    const { port } = server.address() as AddressInfo;
    const connection = new LiveConnection(client, `ws://127.0.0.1:${port}/ws`);
    cleanups.push(() => connection.stop());
    connection.subscribe("p1");
    connection.start();
    await nextState(connection, "live");
    await expect
      .poll(() => client.getQueryData<Run[]>(queryKeys.runs("p1"))?.[0]?.current_phase)
      .toBe("build");
    expect(received).toEqual([{ type: "subscribe", project_id: "p1" }]);
  });

  it("shows the lost connection, reconnects on its own and refetches what it may have missed", async () => {
    const first = await listen();
    const { port } = first.address() as AddressInfo;
    const client = new QueryClient();
    client.setQueryData(queryKeys.runs("p1"), [run]);
    const connection = new LiveConnection(client, `ws://127.0.0.1:${port}/ws`);
    cleanups.push(() => connection.stop());
    connection.start();
    await nextState(connection, "live");

    for (const socket of first.clients) socket.terminate();
    await new Promise<void>((resolve) => first.close(() => resolve()));
    await nextState(connection, "reconnecting");
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(false);

    const second = await listen(port);
    cleanups.push(() => second.close());
    await nextState(connection, "live");
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(true);
  });

  it("refetches what it shows when the server says events may have been missed", async () => {
    const server = await listen();
    cleanups.push(() => server.close());
    const client = new QueryClient();
    client.setQueryData(queryKeys.runs("p1"), [run]);
    const { port } = server.address() as AddressInfo;
    const connection = new LiveConnection(client, `ws://127.0.0.1:${port}/ws`);
    cleanups.push(() => connection.stop());
    connection.start();
    await nextState(connection, "live");
    expect(client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(false);
    for (const socket of server.clients) {
      socket.send(JSON.stringify({ type: "resync", data: { reason: "a server reconnected" } }));
    }
    await expect.poll(() => client.getQueryState(queryKeys.runs("p1"))?.isInvalidated).toBe(true);
  });
});
