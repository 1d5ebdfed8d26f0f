import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";

/**
 * A stand-in for the GitHub CLI on PATH: `gh auth status` succeeds (or, with `signedOut`,
 * fails the way gh does), `gh pr create` prints a pull request URL and `gh pr view` prints
 * `view.json`; every call's argv is recorded, one JSON line each.
 */
export function standInGh(options: { signedOut?: boolean } = {}) {
  const dir = tempDir("gh");
  const calls = join(dir, "calls.jsonl");
  const view = join(dir, "view.json");
  writeFileSync(view, JSON.stringify({ state: "OPEN", statusCheckRollup: [] }));
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, JSON.stringify({ args, cwd: process.cwd() }) + "\\n");
if (args[0] === "auth" && args[1] === "status") {
  if (${options.signedOut ? "true" : "false"}) {
    process.stderr.write("You are not logged into any GitHub hosts. To log in, run: gh auth login\\n");
    process.exit(1);
  }
  process.stdout.write("github.com\\n  Logged in to github.com account demo\\n");
  process.exit(0);
}
if (args[0] === "pr" && args[1] === "create") {
  process.stdout.write("https://github.com/acme/demo/pull/7\\n");
  process.exit(0);
}
if (args[0] === "pr" && args[1] === "view") {
  process.stdout.write(fs.readFileSync(${JSON.stringify(view)}, "utf8"));
  process.exit(0);
}
process.stderr.write("unknown command\\n");
process.exit(1);
`;
  writeFileSync(join(dir, "gh"), script);
  chmodSync(join(dir, "gh"), 0o755);
  return {
    /** The server's environment with this `gh` first on PATH. */
    env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ""}` },
    /** Every call so far, in order. */
    calls(): Array<{ args: string[]; cwd: string }> {
      if (!existsSync(calls)) return [];
      return readFileSync(calls, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
    /** What the next `gh pr view` answers. */
    setView(value: unknown) {
      writeFileSync(view, JSON.stringify(value));
    },
  };
}
