import { z } from "zod";

/**
 * How deeply a run's arguments may nest. Deeper values are refused at the door: the
 * server and engine walk args recursively (validation, snapshots, interpolation), and a
 * value thousands of levels deep would exhaust the stack there.
 */
export const MAX_ARGS_DEPTH = 400;

/**
 * The nesting depth of a JSON-like value (a scalar is 0, `[]` and `{}` are 1), counted
 * without recursion so that measuring cannot overflow the stack itself. Stops counting at
 * `limit + 1`.
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== "object") continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}

/**
 * A run's arguments: an object of JSON values nested at most `MAX_ARGS_DEPTH` levels.
 *
 * @example
 * argsRecordSchema.parse({ featureName: "dark mode" });
 */
export const argsRecordSchema = z
  .record(z.string(), z.unknown())
  .refine((args) => jsonDepth(args, MAX_ARGS_DEPTH) <= MAX_ARGS_DEPTH, {
    message: `is nested more than ${MAX_ARGS_DEPTH} levels deep`,
  });
