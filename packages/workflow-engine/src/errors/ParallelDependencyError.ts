import { EngineError } from "./EngineError.js";

/** `ctx.parallel` was given a dependsOn cycle, an unknown key or duplicate keys. */
export class ParallelDependencyError extends EngineError {
  readonly code = "PARALLEL_DEPENDENCY";
  override readonly name = "ParallelDependencyError";
}
