/**
 * An expression that does not parse (found when a template loads) or does not evaluate
 * (found while a run executes). `offset` is the character index inside `expression`.
 */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
  readonly code: "EXPRESSION_SYNTAX" | "EXPRESSION_EVALUATION" | "INTERPOLATION_MISSING_KEY";
  readonly expression: string;
  readonly offset: number | undefined;
  /** For INTERPOLATION_MISSING_KEY: the key that is not there (`y` of `args.y`). */
  readonly key: string | undefined;

  constructor(
    code: ExpressionError["code"],
    message: string,
    details: { expression: string; offset?: number; key?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.expression = details.expression;
    this.offset = details.offset;
    this.key = details.key;
  }
}
