import ora, { type Ora } from "ora";
import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

/** Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env) {
  const enabled = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== "dumb";
  return pc.createColors(enabled);
}

/**
 * Everything a command prints goes through here, so `--json` output stays pure JSON on
 * stdout (one document) and human output gets colours and spinners only on a terminal.
 */
export class Output {
  readonly json: boolean;
  readonly colors: Colors;
  readonly errColors: Colors;
  readonly interactive: boolean;
  private live: Ora | undefined;

  constructor(
    options: { json?: boolean },
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.json = Boolean(options.json);
    this.colors = colorsFor(stdout);
    this.errColors = colorsFor(stderr);
    this.interactive = Boolean(stdout.isTTY) && !this.json;
  }

  /** Prints `value` as JSON with `--json`, else calls `human` to describe it. */
  result<T>(value: T, human: (value: T) => void): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else human(value);
  }

  /** One compact JSON document per line, for streams (`run --json`, `logs --follow --json`). */
  jsonLine(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A line for people; silent in `--json` mode. */
  line(text = ""): void {
    if (this.json) return;
    this.withoutSpinner(() => this.stdout.write(`${text}\n`));
  }

  /** A notice on stderr (never pollutes stdout, even with --json). */
  note(text: string): void {
    this.withoutSpinner(() => this.stderr.write(`${this.errColors.dim(text)}\n`));
  }

  /**
   * Shows `text` beside a spinner on a terminal; elsewhere nothing (the lines that
   * `line()` persists tell the same story without control characters).
   */
  spin(text: string): void {
    if (!this.interactive) return;
    if (this.live) {
      this.live.text = text;
      return;
    }
    this.live = ora({ text, stream: this.stdout }).start();
  }

  stopSpinner(): void {
    this.live?.stop();
    this.live = undefined;
  }

  private withoutSpinner(write: () => void): void {
    if (!this.live) {
      write();
      return;
    }
    const text = this.live.text;
    this.live.clear();
    write();
    this.live.text = text;
    this.live.render();
  }
}
