import { describe, expect, it } from "vitest";
import { cronTriggerProblem } from "./cronTriggerProblem.js";

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
