import { StringDecoder } from "node:string_decoder";

/** One event's text at most (characters); the rest of a longer line is counted, not kept. */
export const MAX_LINE = 64 * 1024;

/**
 * Splits a process's output into lines without ever holding more than `MAX_LINE`
 * characters of one: a 200 MB line with no newline costs 64 KB, not 200 MB twice.
 * `onLine` gets the kept text and how many characters of the line were dropped.
 */
export class OutputLines {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";
  private dropped = 0;

  constructor(
    private readonly onLine: (text: string, dropped: number) => void,
    private readonly maxLine = MAX_LINE,
  ) {}

  write(chunk: Buffer): void {
    this.push(this.decoder.write(chunk));
  }

  end(): void {
    this.push(this.decoder.end());
    if (this.partial !== "" || this.dropped > 0) this.flush();
  }

  private push(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      const end = newline === -1 ? text.length : newline;
      const room = this.maxLine - this.partial.length;
      if (room > 0) this.partial += text.slice(start, start + Math.min(room, end - start));
      this.dropped += Math.max(0, end - start - Math.max(room, 0));
      if (newline === -1) return;
      this.flush();
      start = newline + 1;
    }
  }

  private flush(): void {
    const text = this.partial.endsWith("\r") ? this.partial.slice(0, -1) : this.partial;
    const dropped = this.dropped;
    this.partial = "";
    this.dropped = 0;
    this.onLine(text, dropped);
  }
}

/**
 * Keeps the first `max` characters of a stream of lines for a step's result, and says
 * where it was cut, so `stdout`/`stderr` in output.json and checkpoints stay bounded
 * however the output is split.
 */
export class CappedText {
  private text = "";
  private omitted = 0;

  constructor(private readonly max: number) {}

  add(line: string): void {
    const room = this.max - this.text.length;
    if (room >= line.length) this.text += line;
    else {
      if (room > 0) this.text += line.slice(0, room);
      this.omitted += line.length - Math.max(room, 0);
    }
  }

  get value(): string {
    return this.omitted === 0
      ? this.text
      : `${this.text}\n[output cut: ${this.omitted} more characters not kept in the result; the step log has every line]\n`;
  }
}
