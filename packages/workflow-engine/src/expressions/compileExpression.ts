import { Environment } from "@marcbachmann/cel-js";
import { ExpressionError } from "./ExpressionError.js";

/** Values an expression sees: `args`, `steps`, loop variables, `run`. */
export type ExpressionScope = Record<string, unknown>;

export interface CompiledExpression {
  readonly source: string;
  evaluate(scope: ExpressionScope): unknown;
}

// CEL (Common Expression Language) is non-Turing-complete and has no access to the host:
// template text is parsed, never handed to eval. Undeclared variables are dynamic so a
// template can name `args`, `steps` or a loop variable without declaring types first.
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
  limits: { maxAstNodes: 2_000, maxDepth: 64 },
});

interface CelErrorLike {
  name: string;
  message: string;
  summary?: string;
  range?: { start: number; end: number };
}

function asCelError(error: unknown): CelErrorLike | undefined {
  if (
    error instanceof Error &&
    ["ParseError", "EvaluationError", "TypeError"].includes(error.name)
  ) {
    return error as CelErrorLike;
  }
  return undefined;
}

/**
 * Parses a CEL expression once; throws ExpressionError(EXPRESSION_SYNTAX) with the offset
 * of the bad token, so a template reports it at load time with its file position.
 *
 * @example
 * compileExpression("args.count > 2").evaluate({ args: { count: 3 } }) // true
 */
export function compileExpression(source: string): CompiledExpression {
  let program: ReturnType<typeof environment.parse>;
  try {
    program = environment.parse(source);
  } catch (error) {
    const cel = asCelError(error);
    const summary = cel?.summary ?? (error instanceof Error ? error.message : String(error));
    throw new ExpressionError("EXPRESSION_SYNTAX", `invalid expression \`${source}\`: ${summary}`, {
      expression: source,
      offset: cel?.range?.start,
      cause: error,
    });
  }
  return {
    source,
    evaluate(scope) {
      try {
        return fromCel(program(toCel(scope) as Record<string, unknown>));
      } catch (error) {
        throw evaluationError(source, error);
      }
    },
  };
}

function evaluationError(source: string, error: unknown): ExpressionError {
  const cel = asCelError(error);
  const summary = cel?.summary ?? (error instanceof Error ? error.message : String(error));
  const missing = /^(?:No such key|Unknown variable): (.+)$/.exec(summary);
  if (missing?.[1] !== undefined) {
    const key = missing[1];
    return new ExpressionError(
      "INTERPOLATION_MISSING_KEY",
      `\`${source}\` refers to a missing key "${key}"`,
      { expression: source, offset: cel?.range?.start, key, cause: error },
    );
  }
  return new ExpressionError("EXPRESSION_EVALUATION", `\`${source}\` failed: ${summary}`, {
    expression: source,
    offset: cel?.range?.start,
    cause: error,
  });
}

// CEL keeps int and double apart (`1 + 1.0` is an error). JSON numbers that are whole
// become CEL ints, so `args.retries + 1` works as a template author expects.
function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object" && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) out[key] = toCel(entry);
    }
    return out;
  }
  return value;
}

function fromCel(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) {
    return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), fromCel(v)]));
  }
  if (value !== null && typeof value === "object" && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCel(v)]));
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
