import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { echoAgentPath } from "../../test/fixtures/fakeAgents.js";
import { AgentInputError } from "../AgentInputError.js";
import { AgentNotInstalledError } from "../AgentNotInstalledError.js";
import { runAgent } from "../runAgent.js";
import type { AgentEvent, RunAgentOptions } from "../types.js";
import type { AgentDeclaration } from "./AgentDeclaration.js";

const echoDir = dirname(echoAgentPath());

/** A declaration of the echo fixture, found on PATH as `echo-agent`. */
function declare(overrides: Partial<AgentDeclaration> = {}): AgentDeclaration {
  return {
    name: "echo",
    command: "echo-agent",
    args: ["--", "{prompt}"],
    prompt: "argument",
    output: "text",
    ...overrides,
  };
}

async function run(declaration: AgentDeclaration, options: Partial<RunAgentOptions> = {}) {
  const cwd = tempDir("declared-agent");
  const record = join(cwd, "record.json");
  const events: AgentEvent[] = [];
  const result = await runAgent({
    agent: declaration.name,
    declaredAgents: { [declaration.name]: declaration },
    prompt: "-x hello",
    cwd,
    killGraceMs: 200,
    resultGraceMs: 200,
    ...options,
    env: { PATH: `${echoDir}:${process.env.PATH ?? ""}`, ECHO_AGENT_RECORD: record },
    onEvent: (event) => events.push(event),
  });
  const recorded = () =>
    JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; env: Record<string, string> };
  return { cwd, result, events, recorded };
}

describe("a declared agent", () => {
  it("gets the run's MCP servers as JSON in PHASEBOARD_MCP_CONFIG, and nothing without them", async () => {
    const mcpServers = {
      phaseboard: { url: "http://127.0.0.1:4000/mcp", headers: { authorization: "Bearer t" } },
    };
    const { result, recorded } = await run(declare(), { mcpServers });
    expect(result.status).toBe("completed");
    expect(JSON.parse(recorded().env.PHASEBOARD_MCP_CONFIG ?? "null")).toEqual({
      mcpServers: {
        phaseboard: {
          type: "http",
          url: "http://127.0.0.1:4000/mcp",
          headers: { authorization: "Bearer t" },
        },
      },
    });
    const without = await run(declare());
    expect(without.recorded().env.PHASEBOARD_MCP_CONFIG).toBeUndefined();
  });

  it("with text output turns each stdout line into a message and all of it into the result", async () => {
    const { result, events, recorded } = await run(
      declare({ args: [["--model", "{model}"], "--", "{prompt}"] }),
      { model: "m1" },
    );
    expect(result.status).toBe("completed");
    expect(result.resultText).toBe("echo: -x hello\nmodel m1");
    expect(result.sessionId).toBeUndefined();
    expect(
      events.filter((e) => e.type === "message").map((e) => e.type === "message" && e.text),
    ).toEqual(["echo: -x hello", "model m1"]);
    expect(events.at(-1)).toMatchObject({ type: "result", status: "success" });
    expect(recorded().argv).toEqual(["--model", "m1", "--", "-x hello"]);
  });

  it("leaves out an argument group whose placeholder has no value", async () => {
    const { result, recorded } = await run(
      declare({ args: [["--model", "{model}"], "--", "{prompt}"] }),
    );
    expect(result.status).toBe("completed");
    expect(recorded().argv).toEqual(["--", "-x hello"]);
  });

  it("reads its prompt from stdin when the declaration says so, with its own variables", async () => {
    const { result, recorded } = await run(
      declare({ args: [], prompt: "stdin", env: { ECHO_AGENT_GREETING: "hello" } }),
      { prompt: "from stdin" },
    );
    expect(result.status).toBe("completed");
    expect(result.resultText).toBe("hello: from stdin");
    expect(recorded().argv).toEqual([]);
    expect(recorded().env.ECHO_AGENT_GREETING).toBe("hello");
  });

  it("with a JSONL dialect reports the session, the cost and the result through that dialect's parser", async () => {
    const { result, events } = await run(
      declare({ args: ["--format", "claude", "--", "{prompt}"], output: "claude" }),
    );
    expect(result).toMatchObject({
      status: "completed",
      resultText: "echo: -x hello",
      sessionId: "echo-session-1",
      costUsd: 0.001,
    });
    expect(events.map((e) => e.type)).toContain("init");
  });

  it("resumes a session with its resume arguments, placed at {resume}", async () => {
    const { result, recorded } = await run(
      declare({
        args: ["--format", "claude", "{resume}", "--", "{prompt}"],
        output: "claude",
        resume: ["--resume", "{session}"],
      }),
      { resumeSessionId: "earlier-1" },
    );
    expect(result.sessionId).toBe("earlier-1");
    expect(recorded().argv).toEqual([
      "--format",
      "claude",
      "--resume",
      "earlier-1",
      "--",
      "-x hello",
    ]);
  });

  it("without resume arguments starts afresh instead of claiming the old session", async () => {
    const { result, recorded } = await run(declare(), { resumeSessionId: "earlier-1" });
    expect(result.status).toBe("completed");
    expect(result.sessionId).toBeUndefined();
    expect(recorded().argv).toEqual(["--", "-x hello"]);
  });

  it("fails with its exit code and stderr when the CLI exits non-zero", async () => {
    const { result } = await run(declare({ args: ["--fail", "{prompt}"] }), { prompt: "why" });
    expect(result.status).toBe("failed");
    expect(result.error).toContain("exited with code 3");
    expect(result.error).toContain("echo-agent could not answer: why");
  });

  it("runs a command given as an absolute path (a project's own script)", async () => {
    const dir = tempDir("declared-script");
    const script = join(dir, "agent.sh");
    writeFileSync(script, '#!/bin/sh\necho "script got: $1"\n');
    chmodSync(script, 0o755);
    const { result } = await run(declare({ command: script, args: ["{prompt}"] }));
    expect(result.resultText).toBe("script got: -x hello");
  });

  it("that is not installed is refused before spawning, with the declaration's install hint", async () => {
    const missing = run(
      declare({ command: "no-such-agent-cli", install: "pip install no-such-agent-cli" }),
    );
    await expect(missing).rejects.toBeInstanceOf(AgentNotInstalledError);
    await expect(missing).rejects.toThrow(
      "The echo agent cannot run: no `no-such-agent-cli` executable on PATH. To install it: pip install no-such-agent-cli",
    );
  });

  it("is unknown when the run does not carry its declaration, and the message lists the known agents", async () => {
    const cwd = tempDir("declared-unknown");
    const attempt = runAgent({
      agent: "ghost",
      prompt: "hi",
      cwd,
      declaredAgents: { echo: declare() },
    });
    await expect(attempt).rejects.toBeInstanceOf(AgentInputError);
    await expect(attempt).rejects.toThrow(
      'Unknown agent "ghost": expected one of claude, codex, gemini, echo.',
    );
  });
});
