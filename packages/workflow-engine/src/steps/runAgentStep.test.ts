import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentRunner, RunAgentOptions } from "@phaseboard/agent-cli";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { WorkflowExecutor } from "../execution/WorkflowExecutor.js";
import { runPaths } from "../storage/runPaths.js";
import type { WorkflowDefinition } from "../types/definition.js";

const snapshot = {
  name: "impl",
  format: "code" as const,
  phases: ["research", "plan", "implement", "test"],
  argsSchema: {},
  source: { bundle: "" },
};

/**
 * A stand-in for agent-cli's runAgent: reports a session, streams a message, and either
 * completes or (when `hang` is set) waits until aborted, like an interrupted CLI.
 */
function fakeAgent(calls: RunAgentOptions[], hang: () => boolean): AgentRunner {
  return async (options) => {
    calls.push(options);
    const sessionId = options.resumeSessionId ?? `session-${calls.length}`;
    options.onEvent?.({ type: "init", sessionId });
    options.onEvent?.({ type: "message", text: `working on: ${options.prompt}` });
    if (hang()) {
      await new Promise((resolve) => options.signal?.addEventListener("abort", resolve));
      return { status: "cancelled", sessionId, durationMs: 1, exitCode: null };
    }
    return {
      status: "completed",
      sessionId,
      resultText: `done: ${options.prompt}`,
      durationMs: 1,
      exitCode: 0,
      costUsd: 0.01,
    };
  };
}

/** Seed 004's implement-feature.ts `execute`, verbatim apart from its types. */
const implementFeature: WorkflowDefinition<{ featureName: string; requirements: string }> = {
  name: "Implement Feature",
  description: "Research, plan, implement, and test a new feature",
  argsSchema: {},
  phases: ["research", "plan", "implement", "test"],
  async execute(ctx) {
    await ctx.step("research-codebase", {
      phase: "research",
      type: "agent",
      agent: "claude",
      prompt: `Research the codebase to understand how to implement: ${ctx.args.featureName}`,
      permission: "plan",
    });
    await ctx.checkpoint();
    await ctx.step("create-spec", {
      phase: "plan",
      type: "agent",
      agent: "claude",
      prompt: `Create a spec for implementing ${ctx.args.featureName}. Requirements: ${ctx.args.requirements}`,
      permission: "acceptEdits",
    });
    await ctx.checkpoint();
    await ctx.step("implement", {
      phase: "implement",
      type: "agent",
      agent: "claude",
      prompt: "Implement the feature according to the spec in the previous step.",
      permission: "acceptEdits",
    });
    await ctx.checkpoint();
    await ctx.step("run-tests", {
      phase: "test",
      type: "script",
      command: "echo tests pass",
      cwd: ctx.projectPath,
    });
    await ctx.step("build", {
      phase: "test",
      type: "script",
      command: "echo built",
      cwd: ctx.projectPath,
    });
    await ctx.comment("Feature implementation complete!");
  },
};

describe("agent steps", () => {
  it("runs seed 004's implement-feature with a fake agent and records each agent session", async () => {
    const projectPath = tempDir("agent");
    const calls: RunAgentOptions[] = [];
    const sessions: string[] = [];
    const comments: string[] = [];
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      runAgent: fakeAgent(calls, () => false),
      observer: {
        onStepCompleted: (e) => {
          if (e.agentSession) sessions.push(`${e.stepKey}=${e.agentSession.sessionId}`);
        },
        onComment: (c) => void comments.push(c.text),
      },
    });
    const outcome = await executor.start({
      runId: "r",
      definition: implementFeature as unknown as WorkflowDefinition,
      snapshot,
      args: { featureName: "dark mode", requirements: "toggle" },
    }).done;
    expect(outcome.status).toBe("completed");
    expect(calls.map((c) => [c.permission, c.prompt.slice(0, 18)])).toEqual([
      ["plan", "Research the codeb"],
      ["acceptEdits", "Create a spec for "],
      ["acceptEdits", "Implement the feat"],
    ]);
    expect(sessions).toEqual([
      "research-codebase=session-1",
      "create-spec=session-2",
      "implement=session-3",
    ]);
    expect(comments).toEqual(["Feature implementation complete!"]);
    const events = readFileSync(
      join(runPaths(projectPath, "r").stepLogDir("implement"), "events.jsonl"),
      "utf8",
    );
    expect(events).toContain('"kind":"agent"');
  });

  it("continues the agent's session when an interrupted agent step runs again", async () => {
    const projectPath = tempDir("agent");
    const calls: RunAgentOptions[] = [];
    let hang = true;
    const executor = new WorkflowExecutor({
      projectPath,
      workerId: "w",
      runAgent: fakeAgent(calls, () => hang),
    });
    const def = implementFeature as unknown as WorkflowDefinition;
    const handle = executor.start({
      runId: "r",
      definition: def,
      snapshot,
      args: { featureName: "x", requirements: "y" },
    });
    await expect.poll(() => calls.length).toBe(1);
    await handle.pause({ now: true });
    expect((await handle.done).status).toBe("paused");
    hang = false;
    expect((await executor.resume("r").done).status).toBe("completed");
    expect(calls[1]?.resumeSessionId).toBe("session-1");
    expect(calls[0]?.resumeSessionId).toBeUndefined();
  });

  it("fails an agent step clearly when the executor has no agent runner", async () => {
    const projectPath = tempDir("agent");
    const executor = new WorkflowExecutor({ projectPath, workerId: "w" });
    const outcome = await executor.start({
      runId: "r",
      definition: implementFeature as unknown as WorkflowDefinition,
      snapshot,
      args: { featureName: "x", requirements: "y" },
    }).done;
    expect(outcome.error?.cause).toMatchObject({ code: "AGENT_RUNNER_MISSING" });
  });

  it("ends an agent whose process group cannot be recorded, and fails the step", async () => {
    const projectPath = tempDir("agent");
    // The record is written as process.json.tmp, then renamed: a folder there makes it fail.
    const record = runPaths(projectPath, "r").stepProcess("ask");
    mkdirSync(`${record}.tmp`, { recursive: true });
    let agentPid: number | undefined;
    const runAgent: AgentRunner = (options) =>
      new Promise((resolve, reject) => {
        const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
        agentPid = child.pid;
        try {
          options.onSpawn?.(child.pid as number);
        } catch (error) {
          reject(error);
          return;
        }
        child.once("exit", () =>
          resolve({ status: "completed", durationMs: 1, exitCode: 0, resultText: "ran" }),
        );
      });
    const executor = new WorkflowExecutor({ projectPath, workerId: "w", runAgent });
    const outcome = await executor.start({
      runId: "r",
      definition: {
        name: "ask",
        phases: ["p"],
        argsSchema: {},
        execute: (ctx) =>
          ctx.step("ask", { type: "agent", agent: "claude", phase: "p", prompt: "hi" }),
      },
      snapshot: { ...snapshot, phases: ["p"] },
      args: {},
    }).done;
    expect(outcome.status).toBe("failed");
    expect(agentPid).toBeDefined();
    // The agent's group was ended at once, not left running unrecorded.
    await expect
      .poll(() => {
        try {
          process.kill(agentPid as number, 0);
          return "alive";
        } catch {
          return "gone";
        }
      })
      .toBe("gone");
  });
});
