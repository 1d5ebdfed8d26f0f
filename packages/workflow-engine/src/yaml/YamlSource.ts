import { isScalar, type LineCounter, type Document, type Node } from "yaml";

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
