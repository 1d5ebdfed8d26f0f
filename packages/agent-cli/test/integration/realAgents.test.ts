import { mkdirSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@phaseboard/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { runAgent } from "../../src/runAgent.js";
import type { AgentEvent, RunAgentOptions } from "../../src/types.js";
import { type StandInApi, startStandInApi } from "../fixtures/startStandInApi.js";

/** The real CLIs pinned in devDependencies, talking to a loopback stand-in of their API. */
const REAL_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".bin");
const PATH = `${REAL_BIN}${delimiter}${process.env.PATH}`;
const REPLY = "Hello from the stand-in.";

let api: StandInApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Starts the agent's stand-in API and returns a HOME and environment pointing the CLI at it. */
async function offline(
  agent: "claude" | "codex" | "gemini",
  hang = false,
): Promise<{ home: string; env: Record<string, string> }> {
  const home = tempDir(`agent-real-${agent}`);
  if (agent === "claude") {
    api = await startStandInApi("anthropic", REPLY, { hang });
    return {
      home,
      env: {
        HOME: home,
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: "sk-ant-standin",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
    };
  }
  if (agent === "codex") {
    api = await startStandInApi("openai", REPLY, { hang });
    const codexHome = join(home, ".codex");
    mkdirSync(codexHome);
    writeFileSync(
      join(codexHome, "config.toml"),
      `model_provider = "standin"\n\n[model_providers.standin]\nname = "standin"\nbase_url = "${api.url}/v1"\nenv_key = "CODEX_API_KEY"\nwire_api = "responses"\n`,
    );
    return { home, env: { HOME: home, CODEX_HOME: codexHome, CODEX_API_KEY: "sk-standin" } };
  }
  api = await startStandInApi("gemini", REPLY, { hang });
  mkdirSync(join(home, ".gemini"));
  writeFileSync(
    join(home, ".gemini", "settings.json"),
    JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
  );
  return { home, env: { HOME: home, GEMINI_API_KEY: "standin", GOOGLE_GEMINI_BASE_URL: api.url } };
}

async function run(
  agent: string,
  cwd: string,
  env: Record<string, string>,
  options: Partial<RunAgentOptions> = {},
) {
  const events: AgentEvent[] = [];
  const result = await runAgent({
    agent,
    prompt: "-Say hello",
    cwd,
    permission: "plan",
    timeout: 60_000,
    killGraceMs: 2_000,
    ...options,
    env: { PATH, ...env },
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return { result, events: events.filter((e) => e.type !== "raw" && e.type !== "stderr") };
}

describe.each(["claude", "codex", "gemini"] as const)(
  "runAgent with the real %s CLI, offline",
  (agent) => {
    it("its real stream becomes init, message and a completed result", async () => {
      const { home, env } = await offline(agent);
      const { result, events } = await run(agent, home, env);
      expect(result).toMatchObject({ status: "completed", resultText: REPLY, exitCode: 0 });
      expect(events[0]).toMatchObject({ type: "init", sessionId: result.sessionId });
      expect(events).toContainEqual(expect.objectContaining({ type: "message", text: REPLY }));
      expect(result.usage?.outputTokens).toBeGreaterThan(0);
      expect(result.sessionLogPath).toContain(
        agent === "gemini"
          ? `-${result.sessionId?.slice(0, 8)}.jsonl`
          : `${result.sessionId}.jsonl`,
      );
      // The prompt starting with "-" reached the model as the prompt.
      expect(api?.modelCalls.at(-1)).toContain("-Say hello");
      if (agent === "claude") expect(typeof result.costUsd).toBe("number");
    });

    it("resumeSessionId continues the session: the model sees the first turn again", async () => {
      const { home, env } = await offline(agent);
      const first = await run(agent, home, env, { prompt: "-Remember the word quokka" });
      expect(first.result.status).toBe("completed");
      const second = await run(agent, home, env, {
        prompt: "Which word?",
        resumeSessionId: first.result.sessionId,
      });
      expect(second.result).toMatchObject({
        status: "completed",
        sessionId: first.result.sessionId,
      });
      const last = api?.modelCalls.at(-1) ?? "";
      expect(last).toContain("quokka");
      expect(last).toContain("Which word?");
    });
  },
);

describe("runAgent stopping the real claude CLI", () => {
  it("cancelling a run waiting on its model ends it, and the run is cancelled", async () => {
    const { home, env } = await offline("claude", true);
    const controller = new AbortController();
    const { result } = await run("claude", home, env, {
      prompt: "Wait",
      signal: controller.signal,
      onEvent: (event) => event.type === "init" && controller.abort(),
    });
    expect(result).toMatchObject({ status: "cancelled", error: "Cancelled." });
    expect(result.sessionId).toBeDefined();
  });
});
