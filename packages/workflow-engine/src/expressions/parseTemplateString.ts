import { type CompiledExpression, compileExpression } from "./compileExpression.js";
import { ExpressionError } from "./ExpressionError.js";

export type TemplateSegment =
  | { kind: "text"; text: string }
  | { kind: "expression"; expression: CompiledExpression /** index of `{{` */; offset: number };

/**
 * Splits `deploy --env {{ args.environment }}` into literal text and compiled
 * expressions. Syntax errors carry the offset inside `text` so the loader can point at
 * the exact line and column of the template file.
 */
export function parseTemplateString(text: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf("{{", cursor);
    if (open === -1) break;
    const close = text.indexOf("}}", open + 2);
    if (close === -1) {
      throw new ExpressionError(
        "EXPRESSION_SYNTAX",
        `unclosed "{{" in \`${text}\`: expected "}}"`,
        {
          expression: text,
          offset: open,
        },
      );
    }
    if (open > cursor) segments.push({ kind: "text", text: text.slice(cursor, open) });
    const inner = text.slice(open + 2, close);
    const leading = inner.length - inner.trimStart().length;
    const source = inner.trim();
    if (source === "") {
      throw new ExpressionError("EXPRESSION_SYNTAX", `empty "{{ }}" in \`${text}\``, {
        expression: text,
        offset: open,
      });
    }
    try {
      segments.push({ kind: "expression", expression: compileExpression(source), offset: open });
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new ExpressionError(error.code, error.message, {
          expression: source,
          offset: open + 2 + leading + (error.offset ?? 0),
          cause: error.cause,
        });
      }
      throw error;
    }
    cursor = close + 2;
  }
  if (cursor < text.length) segments.push({ kind: "text", text: text.slice(cursor) });
  return segments;
}

/** True when `text` is exactly one `{{ … }}` (then its value keeps its type). */
export function isSingleExpression(segments: TemplateSegment[]): boolean {
  return segments.length === 1 && segments[0]?.kind === "expression";
}
