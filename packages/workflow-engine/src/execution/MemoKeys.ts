/**
 * Deterministic memo keys: the step id, then `#2`, `#3`… each time the same id is reached
 * again, in call order, prefixed with the parallel item's key (`lib/build`) inside
 * `ctx.parallel` so concurrent items never race for suffixes (inngest's
 * `resolveStepIdCollision`). The engine and the in-memory testing context share it.
 */
export class MemoKeys {
  private counts = new Map<string, number>();

  constructor(private prefix: () => string = () => "") {}

  next(id: string): string {
    const base = `${this.prefix()}${id}`;
    const count = (this.counts.get(base) ?? 0) + 1;
    this.counts.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  }
}
