import type { StepLogEvent } from "@phaseboard/workflow-engine";
import type { ProgressBatch } from "./RunEvents.js";

export interface StepProgressSenderOptions {
  /** Delivers one batch (a one-way send to the run's feed); a failure drops the batch. */
  send(batch: ProgressBatch): Promise<unknown>;
  stepKey: string;
  /** Wait between batches (ms, default 200). */
  intervalMs?: number;
  /** Lines held for the next batch; more are counted and dropped (default 100). */
  maxLines?: number;
  /** A longer line's text is cut to this many characters (default 4 000). */
  maxLineChars?: number;
}

/**
 * A running step's progress lines on their way to the board, outside the journal: held
 * for a batch every `intervalMs`, one batch in flight at a time. A step that prints
 * faster than that cannot flood the cluster: past `maxLines` waiting, lines are dropped,
 * and the next batch says how many with a `system` line.
 *
 * @example
 * const progress = new StepProgressSender({ stepKey, send: (batch) => feed.progress(batch) });
 * progress.push(event);
 * await progress.close(); // the last lines, before the step's completion
 */
export class StepProgressSender {
  private held: StepLogEvent[] = [];
  private dropped = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly options: StepProgressSenderOptions) {}

  push(event: StepLogEvent): void {
    if (this.closed) return;
    if (this.held.length >= (this.options.maxLines ?? 100)) {
      this.dropped += 1;
    } else {
      this.held.push(this.cut(event));
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.intervalMs ?? 200);
  }

  /** Sends what is held (after the batch in flight) and takes no more lines. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.flush();
  }

  private cut(event: StepLogEvent): StepLogEvent {
    const max = this.options.maxLineChars ?? 4000;
    if (event.text === undefined || event.text.length <= max) return event;
    return {
      ...event,
      text: `${event.text.slice(0, max)}… (${event.text.length - max} more characters)`,
    };
  }

  private async flush(): Promise<void> {
    if (this.inFlight) {
      // One batch at a time: what arrives meanwhile waits for the next tick.
      if (!this.closed) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          void this.flush();
        }, this.options.intervalMs ?? 200);
      }
      return;
    }
    if (this.held.length === 0 && this.dropped === 0) return;
    const events = this.held;
    this.held = [];
    if (this.dropped > 0) {
      events.push({
        at: new Date().toISOString(),
        kind: "system",
        text: `… ${this.dropped} progress line(s) dropped: the step printed faster than they are sent to the board`,
      });
      this.dropped = 0;
    }
    this.inFlight = Promise.resolve(this.options.send({ stepKey: this.options.stepKey, events }))
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    await this.inFlight;
  }
}
