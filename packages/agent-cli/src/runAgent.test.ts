import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it, vi } from "vitest";
import { type FakeAgentOptions, fakeAgentEnv } from "../test/fixtures/fakeAgents.js";
import { AgentNotInstalledError } from "./AgentNotInstalledError.js";
import { runAgent } from "./runAgent.js";
import type { AgentEvent, RunAgentOptions } from "./types.js";

const AGENTS = ["claude", "codex", "gemini"] as const;

/** Runs a fake CLI in a fresh folder (with its own HOME) and collects every event. */
async function runFake(
  agent: string,
  fake: FakeAgentOptions = {},
  options: Partial<RunAgentOptions> = {},
) {
  const cwd = tempDir(`agent-${agent}`);
  const events: AgentEvent[] = [];
  const result = await runAgent({
    agent,
    prompt: "Summarise the README",
    cwd,
    killGraceMs: 200,
    resultGraceMs: 200,
    ...options,
    env: { HOME: cwd, ...fakeAgentEnv(fake), ...options.env },
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const parsed = events.filter((event) => event.type !== "raw" && event.type !== "stderr");
  return { cwd, result, events, parsed };
}

/** A pid is gone once it no longer exists or is a zombie waiting for its reaper. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * A SIGKILLed process closes its pipes before the kernel finishes its exit, so the run can
 * end a moment before the pid is gone: wait for it, within a bound it cannot meet alive.
 */
async function expectToDie(pid: number) {
  await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 5_000, interval: 20 });
}

describe("runAgent with each agent's recorded stream", () => {
  it.each(AGENTS)(
    "%s: a successful run reports its session, reply, usage and result",
    async (agent) => {
      const { result, parsed, events } = await runFake(agent, {
        reply: "All good.",
        sessionId: "11111111-2222-4333-8444-555555555555",
      });
      expect(result).toMatchObject({
        status: "completed",
        sessionId: "11111111-2222-4333-8444-555555555555",
        resultText: "All good.",
        exitCode: 0,
      });
      expect(result.error).toBeUndefined();
      expect(result.usage?.outputTokens).toBeGreaterThan(0);
      expect(parsed[0]).toMatchObject({
        type: "init",
        sessionId: "11111111-2222-4333-8444-555555555555",
      });
      expect(parsed.filter((e) => e.type === "message").at(-1)).toMatchObject({
        text: "All good.",
      });
      expect(parsed.at(-1)).toMatchObject({ type: "result", status: "success", text: "All good." });
      // Every stdout line is kept as it was printed.
      const raw = events.filter((e) => e.type === "raw");
      expect(raw.length).toBeGreaterThanOrEqual(3);
      for (const event of raw) expect(() => JSON.parse(event.line)).not.toThrow();
    },
  );

  it("claude: the cost and token usage of the result are reported", async () => {
    const { result } = await runFake("claude");
    expect(result.costUsd).toBe(0.0123);
    expect(result.usage).toEqual({
      inputTokens: 120,
      outputTokens: 42,
      cachedInputTokens: 2048,
      totalTokens: 2210,
    });
  });

  it.each(AGENTS)(
    "%s: tool calls and their results, failed ones included, become unified events",
    async (agent) => {
      const { result, parsed } = await runFake(agent, { scenario: "tool-calls", reply: "Listed." });
      expect(result.status).toBe("completed");
      const calls = parsed.filter((e) => e.type === "tool_call");
      const results = parsed.filter((e) => e.type === "tool_result");
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(results.length).toBe(calls.length);
      expect(calls[0]).toMatchObject({
        input: expect.objectContaining({ command: expect.stringContaining("ls") }),
      });
      expect(results[0]).toMatchObject({
        isError: false,
        output: expect.stringContaining("README.md"),
      });
      expect(results[1]).toMatchObject({ isError: true });
      expect(calls.map((c) => c.id)).toEqual(results.map((r) => r.id));
      expect(parsed.find((e) => e.type === "message")).toMatchObject({
        text: "I will list the files first.",
      });
      expect(result.resultText).toBe("Listed.");
    },
  );

  it.each(AGENTS)(
    "%s: a failure result makes the run failed, with the agent's reason",
    async (agent) => {
      const { result, parsed } = await runFake(agent, { scenario: "fail" });
      expect(result.status).toBe("failed");
      expect(result.exitCode).toBe(1);
      expect(result.error).toMatch(/529 Overloaded|stream disconnected|max session turns/);
      expect(parsed.at(-1)).toMatchObject({ type: "result", status: "error" });
    },
  );

  it.each([
    ["claude", 1, /Invalid API key/],
    ["codex", 1, /401 Unauthorized/],
    [
      "gemini",
      41,
      /exited with code 41 \(authentication failed.*\).*Invalid auth method selected/s,
    ],
  ] as const)(
    "%s: an authentication failure exits %i and says why",
    async (agent, code, reason) => {
      const { result } = await runFake(agent, { scenario: "auth-fail" });
      expect(result).toMatchObject({ status: "failed", exitCode: code });
      expect(result.error).toMatch(reason);
    },
  );

  it.each(AGENTS)("%s: a 10 MB line arrives whole, as one event", async (agent) => {
    const { result, parsed, events } = await runFake(agent, { scenario: "big-line" });
    expect(result.status).toBe("completed");
    const big = parsed.find((e) => e.type === "tool_result");
    expect(big?.type === "tool_result" && big.output.length).toBe(10 * 1024 * 1024);
    expect(big?.type === "tool_result" && /^x+$/.test(big.output)).toBe(true);
    expect(
      events.filter((e) => e.type === "raw").some((e) => e.line.length > 10 * 1024 * 1024),
    ).toBe(true);
  });

  it.each(AGENTS)("%s: garbage lines and stderr noise are kept, not fatal", async (agent) => {
    const { result, events } = await runFake(agent, { scenario: "garbage", reply: "Fine." });
    expect(result).toMatchObject({ status: "completed", resultText: "Fine." });
    const stderr = events.filter((e) => e.type === "stderr").map((e) => e.text);
    // Non-JSON stdout lines and the CLI's own stderr both surface as stderr events…
    expect(
      stderr.some((line) => /Warning|WARNING|Reading additional input|Loaded cached/.test(line)),
    ).toBe(true);
    expect(stderr.length).toBeGreaterThanOrEqual(3);
    // …and the garbage stdout lines are still in the raw log.
    const raw = events.filter((e) => e.type === "raw").map((e) => e.line);
    expect(raw.some((line) => !line.startsWith("{") || !line.endsWith("}"))).toBe(true);
  });
});

describe("runAgent stopping a CLI", () => {
  it("a CLI that hangs after its result line is ended, and the run still completes", async () => {
    const { result, events } = await runFake("claude", {
      scenario: "hang-after-result",
      reply: "Done.",
    });
    expect(result).toMatchObject({ status: "completed", resultText: "Done.", exitCode: 130 });
    expect(events).toContainEqual({ type: "stderr", text: "fake claude received SIGINT" });
    // Claude answers SIGINT with an error result of its own: the first result stands.
    expect(events.filter((e) => e.type === "result").map((e) => e.status)).toEqual([
      "success",
      "error",
    ]);
  });

  it.each(AGENTS)(
    "%s: aborting the signal cancels the run politely with SIGINT first",
    async (agent) => {
      const controller = new AbortController();
      const { result, events } = await runFake(
        agent,
        { scenario: "hang" },
        { signal: controller.signal, onEvent: (e) => e.type === "init" && controller.abort() },
      );
      expect(result).toMatchObject({ status: "cancelled", exitCode: 130, error: "Cancelled." });
      expect(events.filter((e) => e.type === "stderr").map((e) => e.text)).toContain(
        `fake ${agent} received SIGINT`,
      );
    },
  );

  it("a CLI that ignores SIGINT gets SIGTERM after the grace period", async () => {
    const controller = new AbortController();
    const { result, events } = await runFake(
      "codex",
      { scenario: "hang", ignoreSignals: ["SIGINT"] },
      { signal: controller.signal, onEvent: (e) => e.type === "init" && controller.abort() },
    );
    expect(result.status).toBe("cancelled");
    expect(result.exitCode).toBe(143);
    const received = events.filter((e) => e.type === "stderr").map((e) => e.text);
    expect(received).toEqual(["fake codex received SIGINT", "fake codex received SIGTERM"]);
  });

  it("a CLI that ignores SIGINT and SIGTERM is killed with SIGKILL", async () => {
    const controller = new AbortController();
    const { result } = await runFake(
      "gemini",
      { scenario: "hang", ignoreSignals: ["SIGINT", "SIGTERM"] },
      { signal: controller.signal, onEvent: (e) => e.type === "init" && controller.abort() },
    );
    expect(result).toMatchObject({ status: "cancelled", exitCode: null, signal: "SIGKILL" });
  });

  it("a run cancelled after its result line keeps the result", async () => {
    const controller = new AbortController();
    const { result } = await runFake(
      "gemini",
      { scenario: "hang-after-result", reply: "Kept." },
      {
        signal: controller.signal,
        resultGraceMs: 60_000,
        onEvent: (e) => e.type === "result" && controller.abort(),
      },
    );
    expect(result).toMatchObject({ status: "completed", resultText: "Kept." });
  });

  it("a run past its timeout is stopped and reported as timed out", async () => {
    const { result } = await runFake("claude", { scenario: "hang" }, { timeout: 300 });
    expect(result).toMatchObject({ status: "timed_out", error: "Timed out after 300 ms." });
  });

  it("an already aborted signal spawns nothing", async () => {
    const cwd = tempDir("agent-aborted");
    const record = join(cwd, "record.json");
    const result = await runAgent({
      agent: "claude",
      prompt: "hi",
      cwd,
      signal: AbortSignal.abort(),
      env: fakeAgentEnv({ recordFile: record }),
    });
    expect(result.status).toBe("cancelled");
    expect(existsSync(record)).toBe(false);
  });

  it("a child the CLI started dies with it when the run is cancelled", async () => {
    const dir = tempDir("agent-child");
    const pidFile = join(dir, "child.pid");
    const controller = new AbortController();
    const { result } = await runFake(
      "claude",
      { scenario: "hang", spawnChildPidFile: pidFile, ignoreSignals: ["SIGINT"] },
      { signal: controller.signal, onEvent: (e) => e.type === "init" && controller.abort() },
    );
    expect(result.status).toBe("cancelled");
    await expectToDie(Number(readFileSync(pidFile, "utf8")));
  });

  it("a child the CLI left running is ended when the CLI exits", async () => {
    const dir = tempDir("agent-child");
    const pidFile = join(dir, "child.pid");
    const { result } = await runFake(
      "codex",
      { spawnChildPidFile: pidFile },
      // Long enough that only the CLI's own exit, not the result grace, can end the run.
      { resultGraceMs: 60_000 },
    );
    expect(result).toMatchObject({ status: "completed", exitCode: 0 });
    await expectToDie(Number(readFileSync(pidFile, "utf8")));
  });

  it("an event listener that throws fails the run and stops the CLI", async () => {
    const { result } = await runFake(
      "claude",
      { scenario: "hang" },
      {
        onEvent: (e) => {
          if (e.type === "init") throw new Error("board went away");
        },
      },
    );
    expect(result).toMatchObject({
      status: "failed",
      error: "The event listener threw: board went away",
    });
  });
});

describe("runAgent arguments and environment", () => {
  it.each(AGENTS)(
    "%s: a prompt starting with - reaches the CLI as the prompt, not a flag",
    async (agent) => {
      const dir = tempDir("agent-record");
      const record = join(dir, "record.json");
      const { result } = await runFake(agent, { recordFile: record }, { prompt: "--help me -rf" });
      expect(result).toMatchObject({ status: "completed", resultText: "Done: --help me -rf" });
      expect(JSON.parse(readFileSync(record, "utf8")).call.prompt).toBe("--help me -rf");
    },
  );

  it.each(AGENTS)(
    "%s: receives the run's MCP server, with its token, through its own configuration",
    async (agent) => {
      const record = join(tempDir("agent-record"), "record.json");
      const mcpServers = {
        phaseboard: {
          url: "http://127.0.0.1:4000/mcp",
          // A `$` and quotes must reach the server as they are, in every CLI's format.
          headers: { authorization: 'Bearer tok$en_"1"', "x-run": "r1" },
        },
      };
      const { result } = await runFake(agent, { recordFile: record }, { mcpServers });
      expect(result.status).toBe("completed");
      const recorded = JSON.parse(readFileSync(record, "utf8"));
      expect(recorded.call.mcpConfig.mcpServers.phaseboard).toMatchObject({
        url: "http://127.0.0.1:4000/mcp",
        headers: { authorization: 'Bearer tok$en_"1"', "x-run": "r1" },
      });
      if (agent === "gemini") {
        // Trusted, so headless Gemini may call it; the run's own settings file is gone after.
        expect(recorded.call.mcpConfig.mcpServers.phaseboard.trust).toBe(true);
        const settings = recorded.env.GEMINI_CLI_SYSTEM_SETTINGS_PATH as string;
        expect(existsSync(settings)).toBe(false);
      }
    },
  );

  it.each(AGENTS)("%s: gets no MCP server when none is given", async (agent) => {
    const record = join(tempDir("agent-record"), "record.json");
    await runFake(agent, { recordFile: record });
    const recorded = JSON.parse(readFileSync(record, "utf8"));
    expect(recorded.call.mcpConfig).toBeUndefined();
    expect(recorded.env.GEMINI_CLI_SYSTEM_SETTINGS_PATH).toBeUndefined();
  });

  it("gemini: keeps the system settings in force and adds the run's server beside them", async () => {
    const dir = tempDir("gemini-system");
    const system = join(dir, "system.json");
    writeFileSync(
      system,
      JSON.stringify({
        mcpServers: { theirs: { httpUrl: "http://127.0.0.1:1/mcp" } },
        mcp: { allowed: ["theirs"] },
        ui: { theme: "dark" },
      }),
    );
    const record = join(dir, "record.json");
    const { result } = await runFake(
      "gemini",
      { recordFile: record },
      {
        env: { GEMINI_CLI_SYSTEM_SETTINGS_PATH: system },
        mcpServers: { phaseboard: { url: "http://127.0.0.1:4000/mcp" } },
      },
    );
    expect(result.status).toBe("completed");
    const recorded = JSON.parse(readFileSync(record, "utf8"));
    expect(Object.keys(recorded.call.mcpConfig.mcpServers).sort()).toEqual([
      "phaseboard",
      "theirs",
    ]);
    expect(recorded.env.GEMINI_CLI_SYSTEM_SETTINGS_PATH).not.toBe(system);
    // The user's own file is read, never written.
    expect(JSON.parse(readFileSync(system, "utf8")).mcpServers).toEqual({
      theirs: { httpUrl: "http://127.0.0.1:1/mcp" },
    });
  });

  it.each(AGENTS)("%s: resumeSessionId continues that session", async (agent) => {
    const dir = tempDir("agent-record");
    const record = join(dir, "record.json");
    const { result } = await runFake(
      agent,
      { recordFile: record },
      { resumeSessionId: "0f9e8d7c-6b5a-4321-8fed-cba987654321" },
    );
    expect(result.sessionId).toBe("0f9e8d7c-6b5a-4321-8fed-cba987654321");
    expect(JSON.parse(readFileSync(record, "utf8")).call.resume).toBe(
      "0f9e8d7c-6b5a-4321-8fed-cba987654321",
    );
  });

  it.each([
    ["claude", "plan", "plan"],
    ["claude", "default", "manual"],
    ["codex", "acceptEdits", "workspace-write"],
    ["codex", "bypassPermissions", "danger-full-access"],
    ["gemini", "acceptEdits", "auto_edit"],
    ["gemini", "bypassPermissions", "yolo"],
  ] as const)("%s: permission %s becomes the CLI's %s", async (agent, permission, native) => {
    const dir = tempDir("agent-record");
    const record = join(dir, "record.json");
    await runFake(agent, { recordFile: record }, { permission, model: "some-model-1" });
    const recorded = JSON.parse(readFileSync(record, "utf8"));
    expect(recorded.call).toMatchObject({ permission: native, model: "some-model-1" });
  });

  it("the CLI runs in cwd with stdin closed, without CLAUDECODE, with the caller's variables", async () => {
    const dir = tempDir("agent-record");
    const record = join(dir, "record.json");
    process.env.CLAUDECODE = "1";
    try {
      const { cwd, result } = await runFake(
        "claude",
        { recordFile: record },
        { env: { PHASEBOARD_STEP: "research" } },
      );
      // The fake reads stdin to its end first, as the real CLIs do: it finished, so stdin was closed.
      expect(result.status).toBe("completed");
      const recorded = JSON.parse(readFileSync(record, "utf8"));
      expect(recorded.cwd).toBe(cwd);
      expect(recorded.env.PWD).toBe(cwd);
      expect(recorded.env.PHASEBOARD_STEP).toBe("research");
      expect(recorded.env.CLAUDECODE).toBeUndefined();
    } finally {
      delete process.env.CLAUDECODE;
    }
  });

  it("claude with bypassPermissions runs as root because IS_SANDBOX=1 is set for it", async () => {
    const dir = tempDir("agent-record");
    const record = join(dir, "record.json");
    // Inherited from a container that says so in its own words: Claude Code wants "1".
    const { result } = await runFake(
      "claude",
      { recordFile: record },
      { permission: "bypassPermissions", env: { IS_SANDBOX: "yes" } },
    );
    // The fake refuses bypassPermissions as root without IS_SANDBOX=1, as the real CLI does.
    expect(result.status).toBe("completed");
    const env = JSON.parse(readFileSync(record, "utf8")).env;
    expect(env.IS_SANDBOX).toBe(process.getuid?.() === 0 ? "1" : "yes");
  });

  it("a missing CLI is one clear error naming its npm package, before anything runs", async () => {
    const cwd = tempDir("agent-missing");
    const run = runAgent({ agent: "codex", prompt: "hi", cwd, env: { PATH: cwd } });
    await expect(run).rejects.toBeInstanceOf(AgentNotInstalledError);
    await expect(run).rejects.toMatchObject({
      code: "AGENT_NOT_INSTALLED",
      message: expect.stringContaining("npm install -g @openai/codex"),
    });
  });
});

describe("runAgent session transcripts", () => {
  it.each(AGENTS)("%s: sessionLogPath points at the transcript the CLI wrote", async (agent) => {
    const { result, cwd } = await runFake(agent, { writeSessionLogs: true });
    expect(result.sessionLogPath).toBeDefined();
    expect(result.sessionLogPath?.startsWith(cwd)).toBe(true);
    expect(readFileSync(result.sessionLogPath ?? "", "utf8")).toContain(result.sessionId);
  });

  it("sessionLogPath is absent when the CLI kept no transcript", async () => {
    const { result } = await runFake("claude");
    expect(result.sessionLogPath).toBeUndefined();
  });
});
