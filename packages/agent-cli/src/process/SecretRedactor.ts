import { SECRET_NAME } from "./stepEnvironment.js";

/** Values shorter than this are not redacted: `1` or `yes` would blank out ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * Replaces the values of the server's secret variables (`PHASEBOARD_TOKEN`, `*_API_KEY`,
 * `*_TOKEN`, … and the agents' credentials) with `[redacted NAME]` in text a step
 * produces, before it reaches events.jsonl, output.json, checkpoints or the board.
 * A step that is given a credential (an agent its key) can still print it; this keeps
 * the print out of everything Phaseboard stores and streams.
 */
export class SecretRedactor {
  private readonly secrets: Array<[name: string, value: string]>;

  constructor(source: NodeJS.ProcessEnv = process.env, extraNames: readonly string[] = []) {
    this.secrets = Object.entries(source)
      .filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined &&
          entry[1].length >= MIN_SECRET_LENGTH &&
          (SECRET_NAME.test(entry[0]) || extraNames.includes(entry[0])),
      )
      // Longest first, so a secret containing another is replaced whole.
      .sort((a, b) => b[1].length - a[1].length);
  }

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  redact(text: string): string {
    let out = text;
    for (const [name, value] of this.secrets) {
      if (out.includes(value)) out = out.split(value).join(`[redacted ${name}]`);
    }
    return out;
  }

  /** Every string inside a JSON-like value (agent events, step results). */
  redactDeep<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((entry) => this.redactDeep(entry)) as T;
    if (value !== null && typeof value === "object") {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        const next = this.redactDeep(entry);
        if (next !== entry) changed = true;
        out[key] = next;
      }
      return (changed ? out : value) as T;
    }
    return value;
  }
}
