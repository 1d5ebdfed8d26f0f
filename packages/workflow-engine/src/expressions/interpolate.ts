import { quote } from "shell-quote";
import type { ExpressionScope } from "./compileExpression.js";
import { isSingleExpression, parseTemplateString } from "./parseTemplateString.js";

/**
 * How an interpolated value is written into the text:
 * - `text`: as is (strings), JSON for objects and lists;
 * - `shell`: additionally shell-quoted, so `x; touch /tmp/pwned` stays one literal word.
 */
export type InterpolationMode = "text" | "shell";

/**
 * Replaces every `{{ expression }}` in `text`. A missing key is an ExpressionError
 * (INTERPOLATION_MISSING_KEY) naming the key — never an empty string.
 *
 * @example
 * interpolate("deploy --env {{ args.env }}", { args: { env: "a b" } }, "shell")
 * // "deploy --env 'a b'"
 */
export function interpolate(
  text: string,
  scope: ExpressionScope,
  mode: InterpolationMode = "text",
): string {
  let out = "";
  for (const segment of parseTemplateString(text)) {
    if (segment.kind === "text") {
      out += segment.text;
      continue;
    }
    const rendered = render(segment.expression.evaluate(scope));
    out += mode === "shell" ? quote([rendered]) : rendered;
  }
  return out;
}

/**
 * Like interpolate, but a string that is exactly one `{{ expression }}` yields the
 * expression's value with its type (a list for `foreach`, a number for child args).
 */
export function interpolateValue(text: string, scope: ExpressionScope): unknown {
  const segments = parseTemplateString(text);
  if (isSingleExpression(segments) && segments[0]?.kind === "expression") {
    return segments[0].expression.evaluate(scope);
  }
  return interpolate(text, scope, "text");
}

/** Interpolates every string inside a JSON-like value (child-workflow `args`). */
export function interpolateDeep(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === "string") return interpolateValue(value, scope);
  if (Array.isArray(value)) return value.map((entry) => interpolateDeep(entry, scope));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, interpolateDeep(entry, scope)]),
    );
  }
  return value;
}

function render(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
