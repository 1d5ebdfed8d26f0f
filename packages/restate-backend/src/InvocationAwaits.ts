import "./polyfillPromiseWithResolvers.js";
import * as restate from "@restatedev/restate-sdk";

interface Waiting {
  promise: restate.RestatePromise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

type Settled = { index: number; value?: unknown; failure?: restate.TerminalError };

/**
 * Every wait of one run's invocation on Restate (a step's awakeable, a timer, a child run,
 * a host call) goes through here, so that concurrent branches of a template
 * (`ctx.parallel`: the package builder's child builds) stay deterministic.
 *
 * Restate replays a journal by position: the commands a replay issues must come in the
 * order they were first issued. Branches awaiting independently would resume in whatever
 * order their completions happen to be processed — live, that is arrival; on replay, all
 * are there at once — and the next commands would be journaled in another order (a
 * "journal mismatch"). The SDK also admits only one independent await waiting on the
 * engine at a time (restatedev/sdk-typescript#743: "awaitNext already pending"). So one
 * driver awaits `RestatePromise.race` over everything waited on, in registration order,
 * wakes only the winner, lets every branch run until it waits again, and races again:
 * the engine's code between two waits is plain promise chaining, so each wake-up issues
 * the same commands live and on replay, and Restate's combinators are deterministic.
 */
export class InvocationAwaits {
  private waiting: Waiting[] = [];
  private driving = false;
  /** Raced with whatever is waited on, never waited on alone (see `interrupt`). */
  private interruption:
    | { promise: restate.RestatePromise<unknown>; onFire: (value: unknown) => void }
    | undefined;

  /**
   * Waits for `promise` (a Restate operation) as part of the run's one deterministic
   * sequence of wake-ups; anything else is awaited as it is. `signal` gives the wait up:
   * aborted from a wake-up (an interruption), it leaves the race at the same point on replay.
   */
  wait<T>(promise: restate.RestatePromise<T> | Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!restate.isRestatePromise(promise)) return promise;
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        promise: promise as restate.RestatePromise<unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.waiting.push(entry);
      signal?.addEventListener(
        "abort",
        () => {
          if (!this.waiting.includes(entry)) return;
          this.waiting = this.waiting.filter((other) => other !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
      if (!this.driving) void this.drive();
    });
  }

  /**
   * Raced with every wait from now on, until it wins once: then `onFire` runs inside the
   * wake-up, like a woken branch (a pause reaching a sleeping or waiting run). It is never
   * waited on alone, so an invocation with nothing else to wait for ends. One at a time:
   * setting another replaces it.
   */
  interrupt<T>(promise: restate.RestatePromise<T>, onFire: (value: T) => void): void {
    this.interruption = {
      promise: promise as restate.RestatePromise<unknown>,
      onFire: onFire as (value: unknown) => void,
    };
  }

  private async drive(): Promise<void> {
    this.driving = true;
    try {
      while (this.waiting.length > 0) {
        // Let every branch woken so far reach its next wait (engine code between waits is
        // promise chaining only), so the race below sees the same set live and on replay.
        await new Promise((done) => setImmediate(done));
        await new Promise((done) => setImmediate(done));
        if (this.waiting.length === 0) break;
        const entries = [...this.waiting];
        const interruption = this.interruption;
        const raced = interruption
          ? [...entries.map((entry) => entry.promise), interruption.promise]
          : entries.map((entry) => entry.promise);
        let settled: Settled;
        try {
          settled = await restate.RestatePromise.race(
            raced.map((promise, index) =>
              promise.map(
                (value, failure): Settled => ({
                  index,
                  ...(failure === undefined ? { value } : { failure }),
                }),
              ),
            ),
          );
        } catch (error) {
          // Anything but a cancel ends this attempt: nothing more may happen in it.
          if (!(error instanceof restate.CancelledError)) return;
          // Cancelled: every waiter hears it, so the engine cancels the run (once) and runs
          // its `finally` steps, whose waits start a new round here.
          this.waiting = this.waiting.filter((entry) => !entries.includes(entry));
          for (const entry of entries) entry.reject(error);
          continue;
        }
        if (interruption && settled.index === entries.length) {
          if (this.interruption === interruption) this.interruption = undefined;
          if (settled.failure === undefined) interruption.onFire(settled.value);
          continue;
        }
        const winner = entries[settled.index];
        if (!winner) continue;
        this.waiting = this.waiting.filter((entry) => entry !== winner);
        if (settled.failure !== undefined) winner.reject(settled.failure);
        else winner.resolve(settled.value);
      }
    } finally {
      this.driving = false;
    }
  }
}
