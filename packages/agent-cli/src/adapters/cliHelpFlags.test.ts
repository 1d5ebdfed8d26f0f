import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { AGENT_PERMISSIONS } from "../validateRunOptions.js";
import type { AgentAdapter } from "./AgentAdapter.js";
import { claudeAdapter } from "./claudeAdapter.js";
import { codexAdapter } from "./codexAdapter.js";
import { geminiAdapter } from "./geminiAdapter.js";

/** The real CLIs, pinned in this package's devDependencies. */
const REAL_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".bin");

async function help(command: string, args: string[]): Promise<string> {
  // A fresh HOME: --help must work offline and on a machine that never signed in.
  const home = tempDir("agent-help");
  const { stdout, stderr } = await promisify(execFile)(join(REAL_BIN, command), args, {
    env: { PATH: process.env.PATH, HOME: home, NO_COLOR: "1" },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

/** Flags whose value is ours (a prompt, a path, an id, a model), not one of the CLI's choices. */
const FREE_VALUES = ["--prompt", "--model", "--cd", "--resume"];

/** Every argument vector the adapter can produce. */
function allArgs(adapter: AgentAdapter): string[][] {
  return AGENT_PERMISSIONS.flatMap((permission) =>
    [undefined, "0f9e8d7c-6b5a-4321-8fed-cba987654321"].map((resumeSessionId) =>
      adapter.buildArgs({ prompt: "-p hi", cwd: "/tmp", permission, model: "m1", resumeSessionId }),
    ),
  );
}

/** Options passed before the `--` that ends them (the prompt follows it). */
function flagsOf(args: string[]): { flag: string; value?: string }[] {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end))
    .filter((arg) => arg.startsWith("-"))
    .map((arg) => {
      const [flag = arg, value] = arg.split(/=(.*)/s, 2);
      return { flag, value };
    });
}

function expectDocumented(helpText: string, args: string[][]) {
  for (const vector of args) {
    for (const { flag, value } of flagsOf(vector)) {
      const escaped = flag.replace(/[-]/g, "\\-");
      expect(helpText, `${flag} is in --help`).toMatch(
        new RegExp(`(^|[\\s,])${escaped}([\\s,=]|$)`, "m"),
      );
      // Choice values (modes, formats) must be ones the CLI lists, not our own words.
      if (value !== undefined && !FREE_VALUES.includes(flag)) {
        expect(helpText, `${flag}=${value} is a listed choice`).toContain(value);
      }
    }
  }
}

describe("every flag an adapter passes is in the real CLI's --help", () => {
  it("claude (@anthropic-ai/claude-code)", async () => {
    expectDocumented(await help("claude", ["--help"]), allArgs(claudeAdapter));
  });

  it("codex (@openai/codex): exec's options, placed before `resume`", async () => {
    const text = await help("codex", ["exec", "--help"]);
    expectDocumented(text, allArgs(codexAdapter));
    expect(await help("codex", ["exec", "resume", "--help"])).toMatch(/\[SESSION_ID\] \[PROMPT\]/);
  });

  it("gemini (@google/gemini-cli)", async () => {
    expectDocumented(await help("gemini", ["--help"]), allArgs(geminiAdapter));
  });

  it("the pinned versions are the ones checked", async () => {
    expect(await help("claude", ["--version"])).toContain("2.1.328");
    expect(await help("codex", ["--version"])).toContain("0.169.0");
    expect(await help("gemini", ["--version"])).toContain("0.61.0");
  });
});
