import { describe, expect, it } from "vitest";
import { AgentDeclarationError } from "./AgentDeclarationError.js";
import { parseAgentDeclaration } from "./parseAgentDeclaration.js";

const PROJECT = "/repo";
const FILE = "/repo/.agent/agents/echo.yaml";

function parse(text: string, file = FILE) {
  return parseAgentDeclaration(text, file, PROJECT);
}

/** The error a broken declaration raises, for its code and message. */
function failure(text: string, file = FILE): AgentDeclarationError {
  try {
    parse(text, file);
  } catch (error) {
    if (error instanceof AgentDeclarationError) return error;
    throw error;
  }
  throw new Error("the declaration was accepted");
}

describe("parseAgentDeclaration", () => {
  it("reads a declaration, named after its file, with every field", () => {
    const declaration = parse(
      [
        "description: Echoes its prompt",
        "command: echo-agent",
        'args: ["--format", "claude", ["--model", "{model}"], "{resume}", "--", "{prompt}"]',
        "prompt: argument",
        "output: claude",
        'resume: ["--resume", "{session}"]',
        "env: { ECHO_AGENT_GREETING: hi }",
        "install: npm install -g echo-agent",
      ].join("\n"),
    );
    expect(declaration).toEqual({
      name: "echo",
      command: "echo-agent",
      args: ["--format", "claude", ["--model", "{model}"], "{resume}", "--", "{prompt}"],
      prompt: "argument",
      output: "claude",
      resume: ["--resume", "{session}"],
      env: { ECHO_AGENT_GREETING: "hi" },
      install: "npm install -g echo-agent",
      description: "Echoes its prompt",
      file: FILE,
    });
  });

  it("passes the prompt as the only argument when args are left out", () => {
    expect(parse("command: tool\noutput: text").args).toEqual(["{prompt}"]);
    expect(parse("command: tool\noutput: text\nprompt: stdin").args).toEqual([]);
  });

  it("resolves a command path relative to the project, and keeps a bare name for PATH", () => {
    expect(parse("command: ./bin/agent.sh\noutput: text").command).toBe("/repo/bin/agent.sh");
    expect(parse("command: agent\noutput: text").command).toBe("agent");
  });

  it("refuses an unknown output format, naming the formats and the line", () => {
    const error = failure("command: tool\noutput: xml\n");
    expect(error.code).toBe("AGENT_DECLARATION_INVALID");
    expect(error.message).toBe(
      `${FILE}:2:9 output: expected one of claude, codex, gemini, text, got "xml"`,
    );
  });

  it("refuses a declaration without a command", () => {
    expect(failure("output: text\nargs: ['{prompt}']\n").message).toBe(
      `${FILE}:1:1 command: is required (expected string)`,
    );
  });

  it("reports bad YAML syntax with its line and column", () => {
    const error = failure("command: tool\nargs: [unclosed\noutput: text\n");
    expect(error.code).toBe("AGENT_YAML_SYNTAX");
    expect(error.message).toMatch(new RegExp(`^${FILE}:\\d+:\\d+ YAML syntax error: `));
  });

  it("refuses a declaration named after a built-in agent", () => {
    const error = failure(
      "command: my-claude\noutput: claude\n",
      "/repo/.agent/agents/claude.yaml",
    );
    expect(error.code).toBe("AGENT_NAME_TAKEN");
    expect(error.message).toBe(
      '/repo/.agent/agents/claude.yaml:1:1 "claude" is a built-in agent and cannot be declared again: rename the file (e.g. my-claude.yaml)',
    );
  });

  it("refuses a file name that a step could not write as an agent name", () => {
    expect(failure("command: x\noutput: text\n", "/repo/.agent/agents/My Agent.yaml").code).toBe(
      "AGENT_NAME_INVALID",
    );
  });

  it("refuses an unknown field, pointing at the key", () => {
    const error = failure("command: tool\noutput: text\nformat: json\n");
    expect(error.message).toMatch(
      new RegExp(
        `^${FILE}:3:1 format: unknown field "format": expected description, command, args`,
      ),
    );
  });

  it("refuses args that are not a list of strings", () => {
    expect(failure("command: tool\noutput: text\nargs: --prompt\n").message).toBe(
      `${FILE}:3:7 args: expected a list of strings, got "--prompt"`,
    );
    expect(failure("command: tool\noutput: text\nargs: ['{prompt}', 3]\n").message).toBe(
      `${FILE}:3:20 args[1]: expected a string or a list of strings, got 3`,
    );
  });

  it("refuses a prompt mode other than argument or stdin", () => {
    expect(failure("command: tool\noutput: text\nprompt: file\n").message).toBe(
      `${FILE}:3:9 prompt: expected one of argument, stdin, got "file"`,
    );
  });

  it("refuses an unknown placeholder", () => {
    expect(failure("command: tool\noutput: text\nargs: ['{promt}']\n").message).toBe(
      `${FILE}:3:8 args[0]: unknown placeholder "{promt}": expected one of {prompt}, {model}, {session}, {cwd}, {permission}, {resume}`,
    );
  });

  it("refuses an argument prompt that args never pass, and a stdin prompt that args do", () => {
    expect(failure("command: tool\noutput: text\nargs: ['--go']\n").message).toContain(
      'args must hold "{prompt}"',
    );
    expect(
      failure(
        "command: tool\noutput: text\nprompt: stdin\n args: ['{prompt}']\n".replace(
          "\n args",
          "\nargs",
        ),
      ).message,
    ).toContain('"{prompt}" has no value here');
  });

  it("refuses resume for text output, which reports no session id", () => {
    expect(
      failure("command: tool\noutput: text\nresume: ['--resume', '{session}']\n").message,
    ).toContain("resume: a text output reports no session id to resume");
  });

  it("refuses resume arguments without {session}", () => {
    expect(failure("command: tool\noutput: claude\nresume: ['--continue']\n").message).toBe(
      `${FILE}:3:9 resume: must hold "{session}", the id to resume`,
    );
  });
});
