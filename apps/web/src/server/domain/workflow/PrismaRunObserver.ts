import type { StepType } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type { RunObserver } from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { postComment } from "../comment/postComment.js";

/**
 * The executor's observer in the server: the engine has already written its files and
 * checkpoint, this persists the change to SQLite and only then emits the event, so a
 * board that refetches on an event always sees the new row.
 */
export function createPrismaRunObserver(options: {
  db: DbClient;
  hub: EventHub;
  projectId: string;
  /** Status changes go through the run manager's reducer. */
  onRunStatus: NonNullable<RunObserver["onRunStatus"]>;
  /** Prices tokens when the agent's CLI reports no cost (Codex, Gemini). */
  priceTokens?: (
    model: string | undefined,
    tokens: { input: number; output: number; cached: number },
  ) => number | undefined;
}): RunObserver {
  const { db, hub, projectId } = options;
  const stepIds = new Map<string, string>();
  const stepRowId = async (runId: string, stepKey: string) => {
    const key = `${runId}\0${stepKey}`;
    const cached = stepIds.get(key);
    if (cached) return cached;
    const row = await db.workflowRunStep.findUnique({
      where: { workflow_run_id_step_id: { workflow_run_id: runId, step_id: stepKey } },
      select: { id: true },
    });
    if (row) stepIds.set(key, row.id);
    return row?.id;
  };
  return {
    onRunStatus: options.onRunStatus,
    async onPhaseChanged({ runId, phase, stepIndex }) {
      await db.workflowRun.update({
        where: { id: runId },
        data: { current_phase: phase, current_step_index: stepIndex },
      });
      hub.publish({
        type: "workflow.execution.phase_changed",
        data: {
          execution_id: runId,
          project_id: projectId,
          current_phase: phase,
          current_step_index: stepIndex,
        },
      });
    },
    async onStepStarted(event) {
      const now = new Date();
      const where = {
        workflow_run_id_step_id: { workflow_run_id: event.runId, step_id: event.stepKey },
      };
      // A step that waited (approval, signal, sleep, child run) keeps the time it began
      // waiting when it is announced again on resume or completion.
      const existing = await db.workflowRunStep.findUnique({
        where,
        select: { status: true, started_at: true },
      });
      const fields = {
        name: event.name,
        phase: event.phase,
        type: event.type,
        status: event.status ?? "running",
        attempt: event.attempt,
        sequence: event.sequence,
        log_directory_path: event.logDir,
        started_at: existing?.status === "waiting" ? (existing.started_at ?? now) : now,
        completed_at: null,
        error_message: null,
      };
      const row = await db.workflowRunStep.upsert({
        where,
        create: { workflow_run_id: event.runId, step_id: event.stepKey, ...fields },
        update: fields,
      });
      stepIds.set(`${event.runId}\0${event.stepKey}`, row.id);
      hub.publish({
        type: "workflow.step.started",
        data: {
          execution_id: event.runId,
          project_id: projectId,
          step_id: row.id,
          step_key: event.stepKey,
          step_name: event.name,
          phase: event.phase,
          type: event.type as StepType,
          attempt: event.attempt,
        },
      });
    },
    onStepProgress({ runId, stepKey, event }) {
      // Progress is not persisted (events.jsonl on disk is the record): only streamed.
      const id = stepIds.get(`${runId}\0${stepKey}`);
      if (!id) return;
      hub.publish({
        type: "workflow.step.progress",
        data: {
          execution_id: runId,
          project_id: projectId,
          step_id: id,
          step_key: stepKey,
          output: event.text ?? (event.agent ? JSON.stringify(event.agent) : ""),
          kind: event.kind,
          at: event.at,
        },
      });
    },
    async onStepCompleted(event) {
      const id = await stepRowId(event.runId, event.stepKey);
      if (!id) return;
      let sessionRowId: string | undefined;
      let spent: Record<string, unknown> = {};
      if (event.agentSession) {
        const usage = (event.agentSession.usage ?? {}) as Record<string, number | undefined>;
        const tokens = {
          input: usage.inputTokens ?? 0,
          output: usage.outputTokens ?? 0,
          cached: usage.cachedInputTokens ?? 0,
        };
        const cost =
          event.agentSession.costUsd ?? options.priceTokens?.(event.agentSession.model, tokens);
        spent = {
          model: event.agentSession.model ?? null,
          input_tokens: usage.inputTokens ?? null,
          output_tokens: usage.outputTokens ?? null,
          cached_tokens: usage.cachedInputTokens ?? null,
          cost_usd: cost ?? null,
        };
        const session = await db.agentSession.upsert({
          where: {
            agent_session_id: {
              agent: event.agentSession.agent,
              session_id: event.agentSession.sessionId,
            },
          },
          create: {
            project_id: projectId,
            agent: event.agentSession.agent,
            session_id: event.agentSession.sessionId,
            session_log_path: event.agentSession.sessionLogPath ?? null,
            status: event.status === "completed" ? "completed" : "failed",
            input_tokens: usage.inputTokens ?? null,
            output_tokens: usage.outputTokens ?? null,
            cached_tokens: usage.cachedInputTokens ?? null,
            model: event.agentSession.model ?? null,
            cost_usd: event.agentSession.costUsd ?? null,
          },
          update: {
            status: event.status === "completed" ? "completed" : "failed",
            cost_usd: event.agentSession.costUsd ?? null,
          },
        });
        sessionRowId = session.id;
      }
      const errorMessage = event.result.error?.message ?? null;
      await db.workflowRunStep.update({
        where: { id },
        data: {
          status: event.status,
          attempt: event.attempt,
          completed_at: new Date(),
          error_message: errorMessage,
          ...spent,
          ...(sessionRowId && { agent_session_id: sessionRowId }),
        },
      });
      hub.publish({
        type: "workflow.step.completed",
        data: {
          execution_id: event.runId,
          project_id: projectId,
          step_id: id,
          step_key: event.stepKey,
          status: event.status,
          error_message: errorMessage,
          duration_ms: event.durationMs,
          ...(typeof spent.cost_usd === "number" && { cost_usd: spent.cost_usd }),
          ...(typeof spent.input_tokens === "number" && {
            tokens: spent.input_tokens + Number(spent.output_tokens ?? 0),
          }),
        },
      });
    },
    async onComment(event) {
      const stepId = event.stepKey ? await stepRowId(event.runId, event.stepKey) : undefined;
      await postComment(db, hub, {
        run: { id: event.runId, project_id: projectId },
        stepId,
        text: event.text,
        type: event.type,
      });
    },
    async onState({ runId, state }) {
      await db.workflowRun.update({ where: { id: runId }, data: { state: state as object } });
      hub.publish({
        type: "workflow.execution.state_changed",
        data: { execution_id: runId, project_id: projectId, state },
      });
    },
    async onHeartbeat({ runId, workerId, at }) {
      await db.workflowRun.updateMany({
        where: { id: runId, worker_id: workerId },
        data: { heartbeat_at: at },
      });
    },
  };
}
