import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PREFIX = "pbr_";

/**
 * Access tokens that reach the board's MCP server for one run only: what an agent step is
 * given, so it can work on its own card and project and nothing else. A token is the run
 * id signed with a key that lives only in this process, so nothing is stored and a
 * restarted server (whose steps are started again) hands out new ones.
 *
 * @example
 * const tokens = new RunTokens();
 * const token = tokens.issue(run.id);
 * tokens.verify(token); // run.id
 */
export class RunTokens {
  readonly #key = randomBytes(32);

  issue(runId: string): string {
    return `${PREFIX}${runId}.${this.#sign(runId)}`;
  }

  /** The run a token was issued for, or undefined when it is not one of ours. */
  verify(token: string): string | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const [runId, signature] = token.slice(PREFIX.length).split(".");
    if (!runId || !signature) return undefined;
    const expected = Buffer.from(this.#sign(runId));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return runId;
  }

  /** Whether a presented bearer token looks like a run token (checked before the global one). */
  static isRunToken(token: string): boolean {
    return token.startsWith(PREFIX);
  }

  #sign(runId: string): string {
    return createHmac("sha256", this.#key).update(runId).digest("base64url");
  }
}
