import { describe, expect, it } from "vitest";
import { StepTimeoutError } from "./StepTimeoutError.js";
import { deserializeError, serializeError } from "./serializeError.js";

describe("serializeError", () => {
  it("keeps name, message, code, stack and the cause chain", () => {
    const error = new StepTimeoutError("too slow", { cause: new TypeError("inner") });
    const s = serializeError(error);
    expect(s).toMatchObject({
      name: "StepTimeoutError",
      message: "too slow",
      code: "STEP_TIMEOUT",
      cause: { name: "TypeError", message: "inner" },
    });
    expect(s.stack).toContain("too slow");
    const back = deserializeError(JSON.parse(JSON.stringify(s)));
    expect(back).toMatchObject({
      name: "StepTimeoutError",
      code: "STEP_TIMEOUT",
      message: "too slow",
    });
    expect((back.cause as Error).name).toBe("TypeError");
  });

  it("turns thrown non-errors into an Error shape", () => {
    expect(serializeError("boom")).toEqual({ name: "Error", message: "boom" });
  });
});
