import { stripVTControlCharacters } from "node:util";

/** Left-aligned columns separated by two spaces; widths ignore ANSI colour codes. */
export function formatTable(rows: string[][]): string {
  const visible = (cell: string) => stripVTControlCharacters(cell).length;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visible(cell)),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
