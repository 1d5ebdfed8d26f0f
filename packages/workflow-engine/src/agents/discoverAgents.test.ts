import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { discoverTemplates } from "../templates/discoverTemplates.js";
import { agentsDir, discoverAgents } from "./discoverAgents.js";

function project(files: Record<string, string>): string {
  const root = tempDir("declared-agents");
  mkdirSync(agentsDir(root), { recursive: true });
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(agentsDir(root), name), text);
  return root;
}

describe("discoverAgents", () => {
  it("lists every declaration of a project, broken ones with file, line and column", async () => {
    const root = project({
      "echo.yaml": "command: echo-agent\noutput: text\n",
      "broken.yml": "command: tool\noutput: xml\n",
      "notes.txt": "not a declaration",
    });
    const loaded = await discoverAgents(root);
    expect(loaded.map((entry) => [entry.name, entry.ok])).toEqual([
      ["broken", false],
      ["echo", true],
    ]);
    const broken = loaded[0];
    expect(broken?.ok === false && broken.error).toMatchObject({
      code: "AGENT_DECLARATION_INVALID",
      file: join(agentsDir(root), "broken.yml"),
      line: 2,
      column: 9,
      message: `${join(agentsDir(root), "broken.yml")}:2:9 output: expected one of claude, codex, gemini, text, got "xml"`,
    });
  });

  it("is an empty list for a project without an agents folder", async () => {
    expect(await discoverAgents(tempDir("no-agents"))).toEqual([]);
  });

  it("refuses a second file declaring the same name", async () => {
    const root = project({
      "echo.yaml": "command: echo-agent\noutput: text\n",
      "echo.yml": "command: other\noutput: text\n",
    });
    const [first, second] = await discoverAgents(root);
    expect(first?.ok).toBe(true);
    expect(second?.ok === false && second.error.message).toContain(
      'another file already declares the agent "echo"',
    );
  });
});

describe("a template naming an agent", () => {
  const template = (agent: string) =>
    [
      "name: Ask",
      "phases: [work]",
      "steps:",
      "  - id: ask",
      "    phase: work",
      "    type: agent",
      `    agent: ${agent}`,
      "    prompt: hello",
      "",
    ].join("\n");

  it("fails to load when no built-in or declared agent has that name, listing the known ones", async () => {
    const dir = tempDir("templates");
    writeFileSync(join(dir, "ask.yaml"), template("ehco"));
    const [loaded] = await discoverTemplates(dir, {
      knownAgents: ["claude", "codex", "gemini", "echo"],
    });
    expect(loaded?.ok).toBe(false);
    expect(loaded?.ok === false && loaded.error).toMatchObject({
      code: "UNKNOWN_AGENT",
      line: 7,
      column: 12,
      message: `${join(dir, "ask.yaml")}:7:12 steps[0].agent: unknown agent "ehco": expected one of claude, codex, gemini, echo (a project declares its own in .agent/agents/<name>.yaml)`,
    });
  });

  it("loads when the name is declared", async () => {
    const dir = tempDir("templates");
    writeFileSync(join(dir, "ask.yaml"), template("echo"));
    const [loaded] = await discoverTemplates(dir, {
      knownAgents: ["claude", "codex", "gemini", "echo"],
    });
    expect(loaded?.ok).toBe(true);
  });
});
