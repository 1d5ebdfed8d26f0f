import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { phaseboard, sandbox, startPhaseboard } from "./phaseboardBinary.js";

describe("phaseboard watch", () => {
  it("prints a line when a run waits for approval and when it completes", async () => {
    const box = sandbox();
    expect((await phaseboard(box, ["init"])).code).toBe(0);
    writeFileSync(
      join(box.project, ".agent", "workflows", "definitions", "ship.yaml"),
      `name: Ship
phases: [review, ship]
argsSchema: { type: object, properties: {} }
steps:
  - { id: sign-off, phase: review, type: approval, message: Ship it? }
  - { id: push, phase: ship, type: script, command: echo shipped }
`,
    );
    const serve = startPhaseboard(box, ["serve", "--port", "0"]);
    const [, url] = await serve.waitForOutput(/running at (http:\/\/\S+)/);
    const env = { PHASEBOARD_URL: url ?? "" };
    const watch = startPhaseboard(box, ["watch", "--json"], { env });
    const human = startPhaseboard(box, ["watch", "--events", "completed"], { env });
    // Both are subscribed once they say so (on stderr).
    const subscribed = () =>
      watch.stderr().includes("Watching") && human.stderr().includes("Watching");
    for (let i = 0; i < 300 && !subscribed(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(subscribed()).toBe(true);
    const started = await phaseboard(box, ["run", "ship", "--detach", "--name", "Ship 2.0"], {
      env,
    });
    const id = started.stdout.trim();
    const [waitingLine] = await watch.waitForOutput(/.*"event":"waiting".*/);
    expect(JSON.parse(waitingLine)).toMatchObject({
      event: "waiting",
      execution_id: id,
      run_name: "Ship 2.0",
      message: "Waiting for approval: Ship it?",
    });
    expect((await phaseboard(box, ["approve", id], { env })).code).toBe(0);
    await watch.waitForOutput(/"event":"completed"/);
    const [line] = await human.waitForOutput(/completed .*/);
    expect(line).toMatch(new RegExp(`completed +Ship 2\\.0 ${id} +Completed`));
    expect(human.stdout()).not.toContain("waiting");
  });

  it("refuses an event it does not know", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["watch", "--events", "waiting,merged"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "phaseboard: --events waiting,merged: expected a comma-separated list of waiting, failed, paused, completed",
    );
  });
});
