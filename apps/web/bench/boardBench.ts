// The board with 1,000 runs, in Chromium against the real server:
//   1. time until the first card is visible (baseline: the same board with 10 runs);
//   2. frame intervals while a card is dragged across columns (baseline: idle frames);
//   3. WebSocket event → DOM latency: a rename sent from the page (PATCH) until the card
//      shows the new name, p50/p95 (baseline: one HTTP round trip, GET /api/health).
// Run: pnpm --filter @phaseboard/web bench

import buildClientOnce from "../e2e/buildClientOnce.js";
import { startBoard } from "../e2e/harness.js";

const template = `name: Bench
phases: [plan, build, verify]
steps:
  - id: plan
    name: Plan
    phase: plan
    type: script
    command: echo plan
`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", ...init?.headers },
  });
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${await response.text()}`);
  return ((await response.json()) as { data: T }).data;
}

async function boardWith(runCount: number) {
  const board = await startBoard({ templates: { "bench.yaml": template } });
  const [project] = await api<{ id: string }[]>(`${board.apiUrl}/api/projects`);
  const [definition] = await api<{ id: string }[]>(
    `${board.apiUrl}/api/workflow-definitions?project_id=${project?.id}`,
  );
  for (let i = 0; i < runCount; i++) {
    await api(`${board.apiUrl}/api/workflow-executions`, {
      method: "POST",
      body: JSON.stringify({
        project_id: project?.id,
        workflow_definition_id: definition?.id,
        name: `Run ${i}`,
      }),
    });
  }
  return board;
}

async function firstCardMs(board: Awaited<ReturnType<typeof startBoard>>): Promise<number> {
  const { page } = board;
  const started = Date.now();
  await page.goto(board.url);
  await page.locator("article[data-run-id]").first().waitFor();
  return Date.now() - started;
}

await buildClientOnce();
const small = await boardWith(10);
await firstCardMs(small); // warm the browser's cache of the built assets
const smallMs = await firstCardMs(small);
await small.close();

const board = await boardWith(1000);
const { page } = board;
// tsx keeps function names with a helper the page does not have.
await page.addInitScript("window.__name = (fn) => fn");
await firstCardMs(board);
const bigMs = await firstCardMs(board);
const mounted = await page.locator("article[data-run-id]").count();

// Frames while dragging vs idle.
const collectFrames = (durationMs: number) =>
  page.evaluate(
    (duration) =>
      new Promise<number[]>((resolve) => {
        const frames: number[] = [];
        let last = performance.now();
        const end = last + duration;
        const tick = (now: number) => {
          frames.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(tick);
          else resolve(frames);
        };
        requestAnimationFrame(tick);
      }),
    durationMs,
  );
const idle = await collectFrames(1000);
const card = await page.locator("article[data-run-id]").first().boundingBox();
const target = await page.locator('section[data-column="phase:verify"]').boundingBox();
if (!card || !target) throw new Error("no card or column to drag");
const framesWhileDragging = collectFrames(1500);
await page.mouse.move(card.x + 40, card.y + 20);
await page.mouse.down();
for (let i = 1; i <= 60; i++) {
  await page.mouse.move(
    card.x + 40 + ((target.x - card.x) * i) / 60,
    card.y + 20 + ((target.y + 200 - card.y) * i) / 60,
  );
}
const dragging = await framesWhileDragging;
await page.keyboard.press("Escape");
await page.mouse.up();

// Event → DOM: rename a visible card from the page and wait for the new name to render.
const latencies = await page.evaluate(async () => {
  const results: { event: number; http: number }[] = [];
  const cards = [...document.querySelectorAll("article[data-run-id]")].slice(0, 30);
  for (const [index, card] of cards.entries()) {
    const id = card.getAttribute("data-run-id");
    const name = `Renamed ${index} ${Math.random().toString(36).slice(2)}`;
    const httpStart = performance.now();
    await fetch("/api/health");
    const http = performance.now() - httpStart;
    const seen = new Promise<number>((resolve) => {
      const observer = new MutationObserver(() => {
        if (document.querySelector(`article[aria-label="${name}"]`)) {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
    const start = performance.now();
    // A plain fetch, not the board's own mutation, so only the event can update the DOM.
    await fetch(`/api/workflow-executions/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    results.push({ event: (await seen) - start, http });
  }
  return results;
});
await board.close();

const eventMs = latencies.map((l) => l.event);
const httpMs = latencies.map((l) => l.http);
console.log("board with 1,000 runs (Chromium, real server)");
console.log(
  `  first card visible: ${ms(bigMs)} (10 runs: ${ms(smallMs)}; ratio ${(bigMs / smallMs).toFixed(2)}), cards mounted: ${mounted}`,
);
console.log(
  `  drag frame interval p50/p95: ${ms(percentile(dragging, 50))} / ${ms(percentile(dragging, 95))} (idle p95 ${ms(percentile(idle, 95))}; ratio ${(percentile(dragging, 95) / percentile(idle, 95)).toFixed(2)})`,
);
console.log(
  `  rename → event → DOM p50/p95: ${ms(percentile(eventMs, 50))} / ${ms(percentile(eventMs, 95))} (target p95 < 100 ms; HTTP round trip p95 ${ms(percentile(httpMs, 95))}; ratio ${(percentile(eventMs, 95) / percentile(httpMs, 95)).toFixed(2)})`,
);
