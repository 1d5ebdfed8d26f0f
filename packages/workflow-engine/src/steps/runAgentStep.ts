import { SecretRedactor } from "@phaseboard/agent-cli";
import { AgentRunnerMissingError } from "../errors/AgentRunnerMissingError.js";
import { AgentStepFailedError } from "../errors/AgentStepFailedError.js";
import type { AgentStepConfig } from "../types/step.js";
import { killProcessGroup } from "./killProcessGroup.js";
import { resolveStepCwd } from "./resolveStepCwd.js";
import type { StepAttempt, StepAttemptResult } from "./StepAttempt.js";
import { StepProcessRecord } from "./StepProcessRecord.js";

export interface AgentOutput {
  resultText?: string;
  sessionId?: string;
  usage?: unknown;
  costUsd?: number;
}

/**
 * Runs an agent step through the host's AgentRunner. Every agent event goes to
 * events.jsonl; the session id is handed to the executor the moment it is known, so an
 * interrupted step continues that session on resume.
 */
export async function runAgentStep(
  config: AgentStepConfig,
  attempt: StepAttempt,
): Promise<StepAttemptResult<AgentOutput>> {
  if (!attempt.runAgent) {
    throw new AgentRunnerMissingError(
      `step "${attempt.stepKey}" is an agent step, but the executor was created without runAgent`,
    );
  }
  if (attempt.signal.aborted) throw attempt.signal.reason;
  // An agent left running by a server that died must not edit the worktree alongside this one.
  const record = new StepProcessRecord(attempt.processRecord);
  const previous = await record.takeOver(attempt.killGraceMs);
  if (previous) {
    attempt.emit({
      kind: "system",
      text: `ended process group ${previous.pgid}, left running by an earlier run of this step (server pid ${previous.ownerPid})`,
    });
  }
  let pgid: number | undefined;
  // The agent holds its own credentials; what it prints of them is kept out of logs.
  const redactor = new SecretRedactor(process.env);
  let sessionId = attempt.resumeSessionId;
  let model = config.model;
  const declaredAgents = attempt.declaredAgents?.();
  const ended = async () => {
    // What the CLI left behind in its group goes with it; then nothing is left to end.
    if (pgid !== undefined) await killProcessGroup(pgid, attempt.killGraceMs);
    record.clear();
  };
  const result = await attempt
    .runAgent({
      agent: config.agent,
      ...(declaredAgents && { declaredAgents }),
      prompt: config.prompt,
      cwd: resolveStepCwd(config.cwd, attempt.workdir),
      permission: config.permission,
      model: config.model,
      env: { ...attempt.env, ...config.env },
      ...(config.board !== false && attempt.mcpServers && { mcpServers: attempt.mcpServers }),
      resumeSessionId: attempt.resumeSessionId,
      signal: attempt.signal,
      onSpawn: (pid) => {
        pgid = pid;
        record.record(pid);
      },
      onEvent: (event) => {
        if (event.type === "init" && event.model) model = event.model;
        if (event.type === "init" && event.sessionId !== sessionId) {
          sessionId = event.sessionId;
          attempt.onAgentSession?.(event.sessionId);
        }
        attempt.emit(
          event.type === "stderr"
            ? { kind: "stderr", text: redactor.redact(event.text) }
            : { kind: "agent", agent: redactor.redactDeep(event) },
        );
      },
    })
    .finally(ended);
  if (attempt.signal.aborted) throw attempt.signal.reason;
  sessionId = result.sessionId ?? sessionId;
  if (result.status !== "completed") {
    throw new AgentStepFailedError(
      `agent ${config.agent} ended ${result.status}${result.error ? `: ${redactor.redact(result.error)}` : ""}`,
    );
  }
  return {
    data: {
      resultText: result.resultText === undefined ? undefined : redactor.redact(result.resultText),
      sessionId,
      usage: result.usage,
      costUsd: result.costUsd,
    },
    agentSession: sessionId
      ? {
          agent: config.agent,
          sessionId,
          sessionLogPath: result.sessionLogPath,
          ...(model !== undefined && { model }),
          usage: result.usage,
          costUsd: result.costUsd,
        }
      : undefined,
  };
}
