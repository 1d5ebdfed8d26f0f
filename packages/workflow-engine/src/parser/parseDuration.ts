import type { Duration } from "../types/step.js";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a template duration: `"250ms" | "30s" | "10m" | "2h" | "1d"` or a
 * number of milliseconds. Throws a RangeError naming the value otherwise.
 *
 * @example
 * parseDuration("10m") // 600000
 */
export function parseDuration(value: Duration): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  const match =
    typeof value === "string" ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim()) : null;
  if (!match?.[1] || !match[2]) {
    throw new RangeError(
      `invalid duration ${JSON.stringify(value)}: expected "250ms", "30s", "10m", "2h", "1d" or milliseconds`,
    );
  }
  return Math.round(Number(match[1]) * (UNITS[match[2]] ?? 0));
}
