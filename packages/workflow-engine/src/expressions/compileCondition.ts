import { type CompiledExpression, compileExpression } from "./compileExpression.js";
import { ExpressionError } from "./ExpressionError.js";
import { isSingleExpression, parseTemplateString } from "./parseTemplateString.js";

/**
 * Compiles an `if`, a routing condition or a `foreach` source. Both spellings are
 * accepted: the bare expression `args.deploy` and seed 003's `"{{ args.deploy }}"`.
 */
export function compileCondition(text: string): CompiledExpression {
  if (text.includes("{{")) {
    const segments = parseTemplateString(text.trim());
    const lead = text.length - text.trimStart().length;
    if (isSingleExpression(segments) && segments[0]?.kind === "expression") {
      return segments[0].expression;
    }
    throw new ExpressionError(
      "EXPRESSION_SYNTAX",
      `expected one expression, not text mixed with "{{ }}": \`${text}\``,
      { expression: text, offset: lead },
    );
  }
  return compileExpression(text);
}
