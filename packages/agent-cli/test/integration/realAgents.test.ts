import { mkdirSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { runAgent } from "../../src/runAgent.js";
import type { AgentEvent } from "../../src/types.js";
import { type StandInApi, startStandInApi } from "../fixtures/startStandInApi.js";

/** The real CLIs pinned in devDependencies, talking to a loopback stand-in of their API. */
const REAL_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".bin");
const PATH = `${REAL_BIN}${delimiter}${process.env.PATH}`;

let api: StandInApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function run(agent: string, env: Record<string, string>, cwd: string) {
  const events: AgentEvent[] = [];
  const result = await runAgent({
    agent,
    prompt: "-Say hello",
    cwd,
    permission: "plan",
    env: { PATH, ...env },
    timeout: 60_000,
    killGraceMs: 1_000,
    onEvent: (event) => events.push(event),
  });
  return { result, events: events.filter((e) => e.type !== "raw" && e.type !== "stderr") };
}

describe("runAgent with the real CLIs, offline", () => {
  it("claude: the real stream-json becomes init, message and a completed result", async () => {
    api = await startStandInApi("anthropic", "Hello from the stand-in.");
    const home = tempDir("agent-real-claude");
    const { result, events } = await run(
      "claude",
      {
        HOME: home,
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: "sk-ant-standin",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
      home,
    );
    expect(result).toMatchObject({
      status: "completed",
      resultText: "Hello from the stand-in.",
      exitCode: 0,
    });
    expect(events[0]).toMatchObject({ type: "init", sessionId: result.sessionId });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "message", text: "Hello from the stand-in." }),
    );
    expect(typeof result.costUsd).toBe("number");
    expect(result.sessionLogPath).toMatch(new RegExp(`${result.sessionId}\\.jsonl$`));
  });

  it("codex: the real exec JSONL becomes init, message and a completed result", async () => {
    api = await startStandInApi("openai", "Hello from the stand-in.");
    const home = tempDir("agent-real-codex");
    const codexHome = join(home, ".codex");
    mkdirSync(codexHome);
    writeFileSync(
      join(codexHome, "config.toml"),
      `model_provider = "standin"\n\n[model_providers.standin]\nname = "standin"\nbase_url = "${api.url}/v1"\nenv_key = "CODEX_API_KEY"\nwire_api = "responses"\n`,
    );
    const { result, events } = await run(
      "codex",
      { HOME: home, CODEX_HOME: codexHome, CODEX_API_KEY: "sk-standin" },
      home,
    );
    expect(result).toMatchObject({
      status: "completed",
      resultText: "Hello from the stand-in.",
      exitCode: 0,
    });
    expect(events[0]).toMatchObject({ type: "init", sessionId: result.sessionId });
    expect(result.usage?.outputTokens).toBe(7);
    expect(result.sessionLogPath).toMatch(new RegExp(`${result.sessionId}\\.jsonl$`));
  });

  it("gemini: the real stream-json becomes init, message and a completed result", async () => {
    api = await startStandInApi("gemini", "Hello from the stand-in.");
    const home = tempDir("agent-real-gemini");
    mkdirSync(join(home, ".gemini"));
    writeFileSync(
      join(home, ".gemini", "settings.json"),
      JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
    );
    const { result, events } = await run(
      "gemini",
      { HOME: home, GEMINI_API_KEY: "standin", GOOGLE_GEMINI_BASE_URL: api.url },
      home,
    );
    expect(result).toMatchObject({
      status: "completed",
      resultText: "Hello from the stand-in.",
      exitCode: 0,
    });
    expect(events[0]).toMatchObject({ type: "init", sessionId: result.sessionId });
    expect(result.sessionLogPath).toMatch(new RegExp(`-${result.sessionId?.slice(0, 8)}\\.jsonl$`));
  });

  it("claude: cancelling a run waiting on its model ends the real CLI", async () => {
    api = await startStandInApi("anthropic", "never sent", { hang: true });
    const home = tempDir("agent-real-claude");
    const controller = new AbortController();
    const result = await runAgent({
      agent: "claude",
      prompt: "Wait",
      cwd: home,
      env: {
        PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: "sk-ant-standin",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
      signal: controller.signal,
      killGraceMs: 2_000,
      onEvent: (event) => event.type === "init" && controller.abort(),
    });
    expect(result).toMatchObject({ status: "cancelled", error: "Cancelled." });
    expect(result.sessionId).toBeDefined();
  });
});
