import type { RetryPolicy } from "../types/step.js";
import { durationToMs } from "./durationToMs.js";

/**
 * Delay before try number `nextAttempt` (2 = the first retry). Exponential doubles from
 * `initialDelay`, capped by `maxDelay`, with full jitter by default so many failing runs
 * do not retry in lockstep.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  nextAttempt: number,
  random: () => number = Math.random,
): number {
  const initial = durationToMs(policy.initialDelay ?? "1s");
  const max = durationToMs(policy.maxDelay ?? "5m");
  if (policy.backoff !== "exponential") return Math.min(initial, max);
  const ceiling = Math.min(max, initial * 2 ** Math.max(0, nextAttempt - 2));
  return policy.jitter === false ? ceiling : Math.round(random() * ceiling);
}
