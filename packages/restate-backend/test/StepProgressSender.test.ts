import type { StepLogEvent } from "@phaseboard/workflow-engine";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProgressBatch } from "../src/RunEvents.js";
import { StepProgressSender } from "../src/StepProgressSender.js";

const line = (text: string): StepLogEvent => ({
  at: "2026-12-07T00:00:00.000Z",
  kind: "stdout",
  text,
});

describe("a step's progress lines on their way to the board", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("goes out in one batch per interval, never two batches at once", async () => {
    const sent: ProgressBatch[] = [];
    let release: () => void = () => {};
    const sender = new StepProgressSender({
      stepKey: "build",
      intervalMs: 200,
      send: (batch) => {
        sent.push(batch);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    sender.push(line("a"));
    sender.push(line("b"));
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((batch) => batch.events.map((event) => event.text))).toEqual([["a", "b"]]);
    // The first batch is still in flight: the next waits for it.
    sender.push(line("c"));
    await vi.advanceTimersByTimeAsync(600);
    expect(sent).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((batch) => batch.events.map((event) => event.text))).toEqual([
      ["a", "b"],
      ["c"],
    ]);
    release();
    await sender.close();
  });

  it("holds at most maxLines, drops the rest and says how many, and cuts a long line", async () => {
    const sent: ProgressBatch[] = [];
    const sender = new StepProgressSender({
      stepKey: "chatty",
      maxLines: 3,
      maxLineChars: 5,
      send: async (batch) => void sent.push(batch),
    });
    for (let i = 1; i <= 10; i++) sender.push(line(`${i}`));
    sender.push(line("a very long line"));
    await sender.close();
    const texts = sent.flatMap((batch) => batch.events.map((event) => event.text));
    expect(texts).toEqual([
      "1",
      "2",
      "3",
      "… 8 progress line(s) dropped: the step printed faster than they are sent to the board",
    ]);
    const cut = new StepProgressSender({
      stepKey: "s",
      maxLineChars: 5,
      send: async (batch) => void sent.push(batch),
    });
    cut.push(line("a very long line"));
    await cut.close();
    expect(sent.at(-1)?.events[0]?.text).toBe("a ver… (11 more characters)");
  });

  it("sends what is held when the step ends, and takes no lines after", async () => {
    const sent: ProgressBatch[] = [];
    const sender = new StepProgressSender({
      stepKey: "s",
      send: async (batch) => void sent.push(batch),
    });
    sender.push(line("last"));
    await sender.close();
    sender.push(line("late"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.flatMap((batch) => batch.events.map((event) => event.text))).toEqual(["last"]);
  });
});
