import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type RestateEndpointServer,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
} from "@phaseboard/restate-backend";
import {
  type RestateNode,
  restateServerBinary,
  startRestateNode,
} from "@phaseboard/restate-backend/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, seriousAxeViolations, startBoard } from "./harness.js";

const binary = restateServerBinary();

// The second step waits while `hold` exists in the project, so the card stays running.
const template = `name: Remote Build
phases: [build, ship]
steps:
  - { id: compile, name: Compile, phase: build, type: script, command: "echo compiling; while [ -f hold ]; do sleep 0.1; done" }
  - { id: ship, name: Ship, phase: ship, type: script, command: "echo shipped" }
`;

describe.skipIf("missing" in binary)("a card on the restate backend", () => {
  let node: RestateNode | undefined;
  let endpoint: RestateEndpointServer | undefined;
  let worker: StepWorker | undefined;
  let board: Board | undefined;
  const base = mkdtempSync(join(tmpdir(), "phaseboard-e2e-restate-"));

  beforeAll(async () => {
    if ("missing" in binary) return;
    mkdirSync(join(base, "node"));
    node = await startRestateNode(binary.path, join(base, "node"));
    endpoint = await serveRestateEndpoint();
    await registerDeployment(node.admin, `http://127.0.0.1:${endpoint.port}`);
    worker = new StepWorker({
      ingressUrl: node.ingress,
      workerId: "build-box-3",
      stateDir: join(base, "worker"),
      pollIntervalMs: 50,
    });
    await worker.start();
    board = await startBoard({
      templates: { "remote-build.yaml": template },
      env: {
        PHASEBOARD_BACKEND: "restate",
        PHASEBOARD_RESTATE_INGRESS: node.ingress,
        PHASEBOARD_RESTATE_ADMIN: node.admin,
        PHASEBOARD_RESTATE_WORKER: "build-box-3",
      },
    });
  });

  afterAll(async () => {
    await board?.close();
    await worker?.stop();
    await endpoint?.close();
    await node?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it("names the worker that runs the card's steps, live, in small text on the card", async () => {
    if (!board) throw new Error("the board did not start");
    const { page } = board;
    const hold = join(board.projectDir, "hold");
    writeFileSync(hold, "");
    await page.goto(board.url);
    await page.getByRole("button", { name: "Run Remote Build" }).click();
    const dialog = page.getByRole("dialog", { name: "New run" });
    await dialog.getByLabel("Run name").fill("Release 2.4");
    await dialog.getByRole("button", { name: "Start run" }).click();
    const card = page.locator('article[aria-label="Release 2.4"]');
    const workerLabel = card.locator("[data-step-worker]");
    await workerLabel.waitFor();
    expect(await workerLabel.textContent()).toBe("Worker:build-box-3");
    await board.screenshot("restate-worker-card");
    expect(await seriousAxeViolations(page)).toEqual([]);
    rmSync(hold);
    await page.locator('article[aria-label="Release 2.4"][data-status="completed"]').waitFor();
    // Still named once the run is done: the row keeps who ran it.
    expect(await workerLabel.textContent()).toBe("Worker:build-box-3");
    expect(existsSync(hold)).toBe(false);
  });
});
