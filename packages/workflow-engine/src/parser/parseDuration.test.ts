import { describe, expect, it } from "vitest";
import { cronTriggerProblem } from "./cronTriggerProblem.js";
import { parseDuration } from "./parseDuration.js";

describe("parseDuration", () => {
  it("reads every unit templates use, and plain milliseconds", () => {
    expect([
      parseDuration("250ms"),
      parseDuration("30s"),
      parseDuration("10m"),
      parseDuration("2h"),
      parseDuration("1d"),
    ]).toEqual([250, 30_000, 600_000, 7_200_000, 86_400_000]);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration(42)).toBe(42);
  });

  it("names a value it cannot read", () => {
    expect(() => parseDuration("10 minutes")).toThrow('invalid duration "10 minutes"');
    expect(() => parseDuration(-1)).toThrow("invalid duration -1");
  });
});

describe("cronTriggerProblem", () => {
  it("accepts valid schedules and time zones and explains invalid ones", () => {
    expect(
      cronTriggerProblem({ schedule: "*/5 * * * 1-5", timezone: "Europe/Berlin" }),
    ).toBeUndefined();
    expect(cronTriggerProblem({ schedule: "61 * * * *" })).toMatch(
      /^invalid cron schedule "61 \* \* \* \*": .*minute/,
    );
    expect(cronTriggerProblem({ schedule: "0 3 * * *", timezone: "Mars/Base" })).toMatch(
      /unknown time zone "Mars\/Base"/,
    );
  });
});
