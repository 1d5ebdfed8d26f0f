import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, startBoard } from "./harness.js";

const ship = `name: Ship
phases: [build, review, release]
steps:
  - { id: build, phase: build, type: script, command: echo built }
  - { id: sign-off, phase: review, type: approval, message: Ship it? }
  - { id: release, phase: release, type: script, command: echo released }
`;

/** Each Notification the page constructs, recorded before it reaches the real one. */
const recordNotifications = () => {
  const Real = window.Notification;
  const seen: Array<{ title: string; body: string | undefined }> = [];
  (window as unknown as { __notifications: typeof seen }).__notifications = seen;
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      seen.push({ title, body: options?.body });
    }
  }
  Object.defineProperty(window, "Notification", { value: Recorded, configurable: true });
};

describe("the board on a phone (390×844)", () => {
  let board: Board;
  beforeAll(async () => {
    board = await startBoard({
      templates: { "ship.yaml": ship },
      width: 390,
      height: 844,
      mobile: true,
      permissions: ["notifications"],
    });
  });
  afterAll(async () => board?.close());

  it("raises a notification when a run waits for approval, and approves it from the run page", async () => {
    const { page } = board;
    await page.addInitScript(recordNotifications);
    const projects = (await (await fetch(`${board.apiUrl}/api/projects`)).json()) as {
      data: { id: string }[];
    };
    const projectId = projects.data[0]?.id ?? "";
    const definitions = (await (
      await fetch(`${board.apiUrl}/api/workflow-definitions?project_id=${projectId}`)
    ).json()) as { data: { id: string; identifier: string }[] };
    const template = definitions.data.find((d) => d.identifier === "ship");
    await page.goto(`${board.url}/?project=${projectId}&template=${template?.id}`);
    await page.locator('[data-connection="live"]').waitFor();
    await board.screenshot("phone-empty-board");
    await page.getByRole("button", { name: "Notify me when a run needs me" }).tap();
    await page.locator('[data-notifications="on"]').waitFor();

    const created = await fetch(`${board.apiUrl}/api/workflow-executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        project_id: projectId,
        workflow_definition_id: template?.id,
        name: "Release 3.1",
      }),
    });
    expect(created.status).toBe(201);
    const card = page.locator('article[aria-label="Release 3.1"]');
    await card.waitFor();
    await expect
      .poll(
        () =>
          page.evaluate(
            () => (window as unknown as { __notifications: unknown[] }).__notifications,
          ),
        {
          timeout: 60_000,
        },
      )
      .toEqual([{ title: "Release 3.1", body: "Waiting for approval: Ship it?" }]);
    await card.scrollIntoViewIfNeeded();
    await board.screenshot("phone-board");
    // Nothing on the board is wider than the phone, except the columns' own scroller.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);

    await card.tap();
    const approve = page.getByRole("button", { name: "Approve" }).first();
    await approve.waitFor();
    await board.screenshot("phone-run");
    await approve.tap();
    await board.screenshot("phone-approval");
    await expect
      .poll(
        async () =>
          (
            (await (
              await fetch(`${board.apiUrl}/api/workflow-executions?project_id=${projectId}`)
            ).json()) as { data: { status: string }[] }
          ).data[0]?.status,
        { timeout: 60_000 },
      )
      .toBe("completed");
  });
});
