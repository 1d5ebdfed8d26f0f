/** The configured Restate address does not answer: nothing falls back to the local backend. */
export class RestateUnreachableError extends Error {
  readonly code = "RESTATE_UNREACHABLE";
  override readonly name = "RestateUnreachableError";
  constructor(
    readonly address: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
