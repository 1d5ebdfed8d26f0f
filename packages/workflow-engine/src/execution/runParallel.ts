import { ParallelDependencyError } from "../errors/ParallelDependencyError.js";
import type { ParallelOptions } from "../types/context.js";

/**
 * Dependency-aware scheduling with a concurrency limit (seed 002's package builder as one
 * call): an item starts when all items it depends on have finished, never more than
 * `concurrency` at once, ready items in input order. On the first failure no new item
 * starts; the running ones are awaited, then that failure is thrown.
 */
export async function runParallel<I, R>(
  items: readonly I[],
  options: ParallelOptions<I>,
  fn: (item: I, key: string) => Promise<R>,
): Promise<R[]> {
  const keys = items.map((item) => (options.key ? options.key(item) : String(item)));
  const index = new Map<string, number>();
  keys.forEach((key, i) => {
    if (index.has(key)) throw new ParallelDependencyError(`duplicate parallel item key "${key}"`);
    index.set(key, i);
  });
  const deps = items.map((item, i) => {
    const list = options.dependsOn ? options.dependsOn(item) : [];
    for (const dep of list) {
      if (!index.has(dep)) {
        throw new ParallelDependencyError(`item "${keys[i]}" depends on unknown key "${dep}"`);
      }
    }
    return list.map((dep) => index.get(dep) as number);
  });
  assertAcyclic(keys, deps);

  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(concurrency >= 1)) {
    throw new ParallelDependencyError(`concurrency must be at least 1, got ${concurrency}`);
  }
  const results = new Array<R>(items.length);
  const state = items.map(() => "waiting" as "waiting" | "running" | "done");
  let running = 0;
  let failure: { error: unknown } | undefined;

  return new Promise<R[]>((resolve, reject) => {
    const pump = () => {
      if (failure) {
        if (running === 0) reject(failure.error);
        return;
      }
      if (state.every((s) => s === "done")) {
        resolve(results);
        return;
      }
      for (let i = 0; i < items.length && running < concurrency; i++) {
        if (state[i] !== "waiting") continue;
        if (!(deps[i] ?? []).every((d) => state[d] === "done")) continue;
        state[i] = "running";
        running += 1;
        fn(items[i] as I, keys[i] as string).then(
          (value) => {
            results[i] = value;
            state[i] = "done";
            running -= 1;
            pump();
          },
          (error: unknown) => {
            failure ??= { error };
            running -= 1;
            pump();
          },
        );
      }
    };
    pump();
  });
}

function assertAcyclic(keys: string[], deps: number[][]): void {
  const mark = keys.map(() => 0); // 0 new, 1 on the stack, 2 finished
  const visit = (i: number, path: number[]): void => {
    if (mark[i] === 2) return;
    if (mark[i] === 1) {
      const cycle = [...path.slice(path.indexOf(i)), i].map((n) => keys[n]);
      throw new ParallelDependencyError(`dependsOn cycle: ${cycle.join(" → ")}`);
    }
    mark[i] = 1;
    for (const d of deps[i] ?? []) visit(d, [...path, i]);
    mark[i] = 2;
  };
  keys.forEach((_, i) => {
    visit(i, []);
  });
}
