import { describe, expect, it } from "vitest";
import { errorEnvelopeSchema, errorRegistry } from "./errors.js";

describe("errorRegistry", () => {
  it("gives every code an HTTP error status and a sentence", () => {
    for (const [code, entry] of Object.entries(errorRegistry)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.message, code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it("rejects an error envelope whose code is not registered", () => {
    const bad = { error: { code: "TEAPOT", message: "short and stout" } };
    expect(errorEnvelopeSchema.safeParse(bad).success).toBe(false);
    expect(
      errorEnvelopeSchema.safeParse({ error: { code: "NOT_FOUND", message: "No run x" } }).success,
    ).toBe(true);
  });
});
