import { InvalidDurationError } from "../errors/InvalidDurationError.js";
import type { Duration } from "../types/step.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `"250ms" | "30s" | "10m" | "2h" | "1d"` or a number of ms → ms. */
export function durationToMs(duration: Duration): number {
  if (typeof duration === "number") {
    if (Number.isFinite(duration) && duration >= 0) return duration;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(duration);
    if (match?.[1] && match[2]) return Number(match[1]) * (UNITS[match[2]] ?? 1);
  }
  throw new InvalidDurationError(
    `invalid duration ${JSON.stringify(duration)}: expected ms or a string like "250ms", "30s", "10m", "2h"`,
  );
}
