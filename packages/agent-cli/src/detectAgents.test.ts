import { mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { fakeAgentsPath } from "../test/fixtures/fakeAgents.js";
import { detectAgents } from "./detectAgents.js";

/** A folder holding one executable that prints `version`. */
function binWith(command: string, version: string): string {
  const dir = tempDir("agent-bin");
  writeFileSync(join(dir, command), `#!/bin/sh\necho "${version}"\n`, { mode: 0o755 });
  return dir;
}

describe("detectAgents", () => {
  it("reports CLIs missing from PATH with the npm package to install", async () => {
    const home = tempDir("agent-home");
    const infos = await detectAgents({ PATH: home, HOME: home });
    expect(infos.map((i) => [i.agent, i.installed, i.available])).toEqual([
      ["claude", false, false],
      ["codex", false, false],
      ["gemini", false, false],
    ]);
    expect(infos[1]?.reason).toBe(
      "`codex` is not on PATH: install it with `npm install -g @openai/codex`.",
    );
  });

  it("reads each CLI's version and tells whether it is signed in", async () => {
    const home = tempDir("agent-home");
    const bin = binWith("claude", "2.1.328 (Claude Code)");
    const codexBin = binWith("codex", "codex-cli 0.169.0");
    mkdirSync(join(home, ".codex"));
    writeFileSync(join(home, ".codex", "auth.json"), "{}");
    const infos = await detectAgents({
      PATH: `${bin}:${codexBin}`,
      HOME: home,
      ANTHROPIC_API_KEY: "sk-test",
    });
    const [claude, codex, gemini] = infos;
    expect(claude).toMatchObject({
      installed: true,
      version: "2.1.328",
      path: join(bin, "claude"),
      authConfigured: true,
      authSource: "env:ANTHROPIC_API_KEY",
      available: true,
    });
    expect(codex).toMatchObject({
      version: "0.169.0",
      authSource: `file:${join(home, ".codex", "auth.json")}`,
      available: true,
    });
    expect(gemini).toMatchObject({ installed: false, available: false });
  });

  it("an installed CLI without credentials cannot run, and says how to sign in", async () => {
    const home = tempDir("agent-home");
    const [, , gemini] = await detectAgents({
      PATH: `${fakeAgentsPath()}${delimiter}${process.env.PATH}`,
      HOME: home,
      GEMINI_API_KEY: "",
    });
    expect(gemini).toMatchObject({
      installed: true,
      version: "0.61.0",
      authConfigured: false,
      available: false,
    });
    expect(gemini?.reason).toMatch(/set GEMINI_API_KEY or .*sign in with `gemini`/);
  });

  it("a CLI whose --version fails is reported as broken", async () => {
    const dir = tempDir("agent-bin");
    writeFileSync(join(dir, "claude"), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const [claude] = await detectAgents({ PATH: dir, HOME: dir, ANTHROPIC_API_KEY: "x" });
    expect(claude).toMatchObject({ installed: false, available: false });
    expect(claude?.reason).toMatch(/--version` failed/);
  });
});
