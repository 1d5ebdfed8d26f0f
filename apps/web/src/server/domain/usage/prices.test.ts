import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, priceTokens, projectPrices } from "./prices.js";

function projectWithPricing(text: string): string {
  const dir = tempDir("pricing");
  mkdirSync(join(dir, ".agent"), { recursive: true });
  writeFileSync(join(dir, ".agent", "pricing.yaml"), text);
  return dir;
}

describe("priceTokens", () => {
  it("prices uncached input, cached input and output by the longest matching model prefix", () => {
    const tokens = { input: 1_000_000, output: 100_000, cached: 400_000 };
    // gpt-5-mini, not gpt-5: the longer prefix wins.
    expect(priceTokens(DEFAULT_PRICES, "gpt-5-mini-2025", tokens)).toBeCloseTo(
      (600_000 * 0.25 + 400_000 * 0.025 + 100_000 * 2) / 1_000_000,
      9,
    );
    expect(priceTokens(DEFAULT_PRICES, "gpt-5.1-codex", tokens)).toBeCloseTo(
      (600_000 * 1.25 + 400_000 * 0.125 + 100_000 * 10) / 1_000_000,
      9,
    );
  });

  it("leaves a model it does not know, or none, unpriced", () => {
    const tokens = { input: 10, output: 10, cached: 0 };
    expect(priceTokens(DEFAULT_PRICES, "my-local-llama", tokens)).toBeUndefined();
    expect(priceTokens(DEFAULT_PRICES, undefined, tokens)).toBeUndefined();
  });
});

describe("projectPrices", () => {
  it("adds and overrides models from .agent/pricing.yaml, keeping the defaults", () => {
    const prices = projectPrices(
      projectWithPricing(
        "models:\n  my-local-llama: { input: 0, output: 0 }\n  gpt-5: { input: 2, output: 20 }\n",
      ),
    );
    expect(prices["my-local-llama"]).toEqual({ input: 0, output: 0 });
    expect(prices["gpt-5"]).toEqual({ input: 2, output: 20 });
    expect(prices["gemini-2.5-pro"]).toEqual(DEFAULT_PRICES["gemini-2.5-pro"]);
    // Without a cached price, cached tokens cost what input does.
    expect(priceTokens(prices, "gpt-5", { input: 100, output: 0, cached: 100 })).toBeCloseTo(
      (100 * 2) / 1_000_000,
      12,
    );
  });

  it("says what is wrong with a pricing file and falls back to the defaults", () => {
    const errors: string[] = [];
    const prices = projectPrices(
      projectWithPricing("models:\n  gpt-5: { input: -1, output: 10 }\n"),
      (message) => errors.push(message),
    );
    expect(prices).toBe(DEFAULT_PRICES);
    expect(errors).toEqual([
      expect.stringMatching(/pricing\.yaml: models\.gpt-5\.input must be zero or more$/),
    ]);
    const unreadable: string[] = [];
    projectPrices(projectWithPricing("models: [unclosed\n"), (message) => unreadable.push(message));
    expect(unreadable).toHaveLength(1);
  });

  it("uses the defaults for a project without a pricing file", () => {
    expect(projectPrices(tempDir("none"))).toBe(DEFAULT_PRICES);
  });
});
