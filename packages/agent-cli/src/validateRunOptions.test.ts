import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { fakeAgentEnv } from "../test/fixtures/fakeAgents.js";
import { AgentInputError } from "./AgentInputError.js";
import { runAgent } from "./runAgent.js";
import type { AgentPermission, RunAgentOptions } from "./types.js";

describe("runAgent refuses bad input before spawning anything", () => {
  const cases: [string, Partial<RunAgentOptions>, string, RegExp][] = [
    ["an empty prompt", { prompt: "" }, "AGENT_EMPTY_PROMPT", /prompt is empty/],
    ["a prompt with a NUL character", { prompt: "a\0b" }, "AGENT_INVALID_PROMPT", /NUL character/],
    ["a blank prompt", { prompt: "  \n\t" }, "AGENT_EMPTY_PROMPT", /prompt is empty/],
    [
      "an unknown agent",
      { agent: "copilot" },
      "AGENT_UNKNOWN",
      /Unknown agent "copilot".*claude, codex, gemini/,
    ],
    ["an inherited property as agent", { agent: "toString" }, "AGENT_UNKNOWN", /Unknown agent/],
    [
      "a cwd that does not exist",
      { cwd: "/no/such/folder" },
      "AGENT_CWD_NOT_FOUND",
      /"\/no\/such\/folder" does not exist/,
    ],
    ["a relative cwd", { cwd: "." }, "AGENT_CWD_NOT_FOUND", /absolute path/],
    [
      "a permission outside the vocabulary",
      { permission: "yolo" as AgentPermission },
      "AGENT_INVALID_PERMISSION",
      /Unknown permission "yolo".*default, plan, acceptEdits, bypassPermissions/,
    ],
    [
      "a session id with ;",
      { resumeSessionId: "abc; rm -rf ~" },
      "AGENT_INVALID_SESSION_ID",
      /not a session id/,
    ],
    [
      "a session id with $()",
      { resumeSessionId: "$(whoami)" },
      "AGENT_INVALID_SESSION_ID",
      /not a session id/,
    ],
    [
      "a session id with a backquote",
      { resumeSessionId: "a`id`" },
      "AGENT_INVALID_SESSION_ID",
      /not a session id/,
    ],
    [
      "a session id that is a flag",
      { resumeSessionId: "--dangerously-skip-permissions" },
      "AGENT_INVALID_SESSION_ID",
      /not a session id/,
    ],
    ["a model that is a flag", { model: "--yolo" }, "AGENT_INVALID_MODEL", /not a model name/],
    ["a negative timeout", { timeout: -1 }, "AGENT_INVALID_TIMEOUT", /not a positive number/],
  ];

  it.each(cases)("%s", async (_label, bad, code, message) => {
    const cwd = tempDir("agent-bad-input");
    const record = join(cwd, "record.json");
    const run = runAgent({
      agent: "claude",
      prompt: "hi",
      cwd,
      ...bad,
      env: fakeAgentEnv({ recordFile: record }),
    });
    await expect(run).rejects.toBeInstanceOf(AgentInputError);
    await expect(run).rejects.toMatchObject({
      name: "AgentInputError",
      code,
      message: expect.stringMatching(message),
    });
    expect(existsSync(record)).toBe(false);
  });

  it("a cwd that is a file is refused", async () => {
    const file = join(tempDir("agent-bad-input"), "notes.txt");
    writeFileSync(file, "not a folder");
    const run = runAgent({ agent: "gemini", prompt: "hi", cwd: file });
    await expect(run).rejects.toMatchObject({ code: "AGENT_CWD_NOT_FOUND", field: "cwd" });
  });

  it("uuids and thread names are accepted as session ids", async () => {
    const cwd = tempDir("agent-good-input");
    for (const id of [
      "0f9e8d7c-6b5a-4321-8fed-cba987654321",
      "my-thread.2",
      "01a204ff-f11a-7ef2",
    ]) {
      const result = await runAgent({
        agent: "codex",
        prompt: "hi",
        cwd,
        resumeSessionId: id,
        env: fakeAgentEnv(),
      });
      expect(result).toMatchObject({ status: "completed", sessionId: id });
    }
  });
});
