/** Base of the engine's errors: every one has a stable `code` and keeps its `cause`. */
export abstract class EngineError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
