import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/** US dollars per million tokens. `cached` is the price of cached input tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cached?: number;
}

/**
 * List prices by model-name prefix, for CLIs that report tokens but no cost (Codex,
 * Gemini). Claude Code reports its own cost, which is used as it is. A project adjusts or
 * adds models in `.agent/pricing.yaml`; the longest matching prefix wins.
 */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  "gpt-5": { input: 1.25, output: 10, cached: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cached: 0.025 },
  "gpt-4.1": { input: 2, output: 8, cached: 0.5 },
  o3: { input: 2, output: 8, cached: 0.5 },
  "o4-mini": { input: 1.1, output: 4.4, cached: 0.275 },
  "gemini-2.5-pro": { input: 1.25, output: 10, cached: 0.31 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cached: 0.075 },
  "claude-opus-4": { input: 15, output: 75, cached: 1.5 },
  "claude-sonnet-4": { input: 3, output: 15, cached: 0.3 },
  "claude-haiku-4": { input: 1, output: 5, cached: 0.1 },
};

const priceSchema = z.strictObject({
  input: z.number().nonnegative("must be zero or more"),
  output: z.number().nonnegative("must be zero or more"),
  cached: z.number().nonnegative("must be zero or more").optional(),
});
const pricingFileSchema = z.strictObject({ models: z.record(z.string(), priceSchema) });

/**
 * The price table of a project: the defaults with `.agent/pricing.yaml` on top
 * (`models: { gpt-5: { input: 1.25, output: 10, cached: 0.125 } }`). A file that does not
 * parse is reported through `onError` and the defaults apply.
 */
export function projectPrices(
  projectPath: string,
  onError: (message: string) => void = () => undefined,
): Record<string, ModelPrice> {
  const file = join(projectPath, ".agent", "pricing.yaml");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return DEFAULT_PRICES;
  }
  try {
    const parsed = pricingFileSchema.safeParse(parse(text));
    if (!parsed.success) {
      onError(
        `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
      );
      return DEFAULT_PRICES;
    }
    return { ...DEFAULT_PRICES, ...parsed.data.models };
  } catch (error) {
    onError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    return DEFAULT_PRICES;
  }
}

/** What `input`/`output`/`cached` tokens of `model` cost, or undefined for an unknown model. */
export function priceTokens(
  prices: Record<string, ModelPrice>,
  model: string | undefined,
  tokens: { input: number; output: number; cached: number },
): number | undefined {
  if (!model) return undefined;
  const prefix = Object.keys(prices)
    .filter((name) => model.startsWith(name))
    .sort((a, b) => b.length - a.length)[0];
  const price = prefix ? prices[prefix] : undefined;
  if (!price) return undefined;
  const uncached = Math.max(0, tokens.input - tokens.cached);
  const cost =
    uncached * price.input +
    tokens.cached * (price.cached ?? price.input) +
    tokens.output * price.output;
  return cost / 1_000_000;
}
