import { describe, expect, it } from "vitest";
import { InvalidDurationError } from "../errors/InvalidDurationError.js";
import { durationToMs } from "./durationToMs.js";
import { retryDelayMs } from "./retryDelayMs.js";

describe("retry delays", () => {
  it("doubles exponential delays from initialDelay up to maxDelay", () => {
    const policy = {
      attempts: 10,
      backoff: "exponential" as const,
      initialDelay: "1s",
      maxDelay: "5s",
      jitter: false,
    };
    expect([2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it("applies full jitter below the exponential ceiling", () => {
    const policy = { attempts: 3, backoff: "exponential" as const, initialDelay: 1000 };
    expect(retryDelayMs(policy, 3, () => 0.25)).toBe(500);
  });

  it("uses the initial delay for fixed backoff", () => {
    expect(retryDelayMs({ attempts: 3, initialDelay: "250ms" }, 3)).toBe(250);
  });

  it("parses durations and rejects malformed ones with a clear error", () => {
    expect(durationToMs("10m")).toBe(600_000);
    expect(durationToMs("1.5s")).toBe(1500);
    expect(durationToMs(42)).toBe(42);
    expect(() => durationToMs("ten minutes")).toThrow(InvalidDurationError);
    expect(() => durationToMs(-1)).toThrow(/invalid duration -1/);
  });
});
