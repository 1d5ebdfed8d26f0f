import { generateKeyBetween } from "fractional-indexing";

/**
 * The position key for a card dropped between two neighbours (either may be missing at
 * a column's ends), so a drag rewrites only the moved card. When a neighbour's key is not
 * a valid fractional index (or two neighbours share a key), it falls back to the nearest
 * valid bound rather than failing the drop.
 *
 * @example
 * positionBetween("a0", "a1"); // "a0V"
 */
export function positionBetween(before: string | undefined, after: string | undefined): string {
  const lower = before ?? null;
  const upper = after ?? null;
  try {
    return generateKeyBetween(lower, upper);
  } catch {
    try {
      return generateKeyBetween(lower, null);
    } catch {
      return generateKeyBetween(null, upper === null ? null : safe(upper));
    }
  }
}

function safe(key: string): string | null {
  try {
    generateKeyBetween(null, key);
    return key;
  } catch {
    return null;
  }
}
