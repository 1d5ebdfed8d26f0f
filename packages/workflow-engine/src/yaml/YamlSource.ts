import { type Document, isMap, isScalar, type LineCounter, type Node } from "yaml";

export type YamlPath = ReadonlyArray<string | number>;

/**
 * Maps a path in the parsed template back to the file: the deepest existing node on the
 * path gives the line and column (1-based). For an offset inside a one-line string, the
 * column points at that character.
 */
export class YamlSource {
  constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Position of the key itself (for an unknown field), not of its value. */
  locateKey(path: YamlPath): { line?: number; column?: number } {
    const parent = this.document.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) {
        const { line, col } = this.lineCounter.linePos(range[0]);
        return { line, column: col };
      }
    }
    return this.locate(path);
  }

  locate(path: YamlPath, innerOffset?: number): { line?: number; column?: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.document.getIn(path.slice(0, depth), true) as Node | undefined;
      if (node?.range) {
        let offset = node.range[0];
        if (innerOffset !== undefined && depth === path.length && isScalar(node)) {
          if (node.type === "PLAIN") offset += innerOffset;
          else if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") {
            offset += 1 + innerOffset;
          }
        }
        const { line, col } = this.lineCounter.linePos(offset);
        return { line, column: col };
      }
    }
    return {};
  }
}

/** `steps[2].command` for ["steps", 2, "command"]. */
export function describePath(path: YamlPath): string {
  let out = "";
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  return out === "" ? "template" : out;
}
