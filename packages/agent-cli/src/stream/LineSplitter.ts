const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Frames a byte stream into lines, across chunk boundaries. A line may span many chunks
 * (agents print tool results of several MB on one line): pieces are kept as a list and
 * joined once, when the newline arrives, so a long line costs linear time. Lines are
 * decoded only when complete, so a multi-byte character split between chunks survives.
 *
 * @example
 * const splitter = new LineSplitter((line) => console.log(line));
 * child.stdout.on("data", (chunk) => splitter.push(chunk));
 * child.stdout.on("end", () => splitter.end());
 */
export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      let line: Buffer;
      if (this.#pending.length === 0) {
        line = chunk.subarray(start, newline);
      } else {
        this.#pending.push(chunk.subarray(start, newline));
        line = Buffer.concat(this.#pending, this.#pendingBytes + newline - start);
        this.#pending = [];
        this.#pendingBytes = 0;
      }
      this.#emit(line);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
    }
  }

  /** Emits a last line that had no newline. */
  end(): void {
    if (this.#pendingBytes > 0) {
      const line = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#emit(line);
    }
  }

  #emit(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? -1 : undefined;
    this.#onLine((end === undefined ? line : line.subarray(0, end)).toString("utf8"));
  }
}
