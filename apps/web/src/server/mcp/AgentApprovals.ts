import { randomUUID } from "node:crypto";
import type { WorkflowEvent } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type { EventHub } from "../events/EventHub.js";
import { HttpError } from "../HttpError.js";

export type AgentApprovalStatus = "pending" | "approved" | "rejected" | "expired";

/** What an agent sees of its request. */
export interface AgentApprovalView {
  approval_id: string;
  status: AgentApprovalStatus;
  message: string;
  comment: string | null;
}

interface Pending {
  id: string;
  runId: string;
  projectId: string;
  stepRowId: string;
  stepKey: string;
  message: string;
  status: AgentApprovalStatus;
  comment: string | null;
  waiters: Set<() => void>;
}

/** How long one tool call may wait for a decision: under the 60 s the MCP SDK's client and Codex allow a call by default. */
export const MAX_APPROVAL_WAIT_SECONDS = 50;

/**
 * Approvals an agent asks for from inside its step (the `request_approval` MCP tool). The
 * step shows as waiting on its card, as a `ctx.approval` step does, and the same Approve
 * (the approvals route, the `approve` tool) decides it. The agent process keeps running
 * meanwhile, so a request lives as long as its step: when the step ends, a request still
 * open is `expired`. Requests are held in memory, not the database: a restart ends the
 * agent process (its step runs again) and with it everything it asked.
 *
 * A call waits at most `MAX_APPROVAL_WAIT_SECONDS`, then answers `pending` with the
 * request's id; the agent asks again with `get_approval`. MCP clients end tool calls that
 * take longer than their timeout (60 s in the SDK's client and Codex by default), and a
 * person may take hours: a bounded wait plus a handle to poll works with all of them.
 */
export class AgentApprovals {
  readonly #byId = new Map<string, Pending>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
  ) {
    this.#unsubscribe = hub.subscribe((event) => this.#onEvent(event));
  }

  close(): void {
    this.#unsubscribe();
    for (const pending of this.#byId.values()) this.#settle(pending, "expired", null);
  }

  /** Asks a person, on the card of `runId`, about what its running step wants to do. */
  async request(runId: string, projectId: string, message: string): Promise<AgentApprovalView> {
    // Its step may already wait on an earlier request; it asks again, it keeps waiting.
    const step = await this.db.workflowRunStep.findFirst({
      where: {
        workflow_run_id: runId,
        status: { in: ["running", "waiting"] },
        run: { status: "running" },
      },
      orderBy: { started_at: "desc" },
      select: { id: true, step_id: true },
    });
    if (!step) {
      throw new HttpError(
        // The run is between steps or has ended: its state does not allow the request now.
        "RUN_STATE_CHANGED",
        `Run ${runId} has no running step: only a step that is running can ask for an approval`,
      );
    }
    const pending: Pending = {
      id: randomUUID(),
      runId,
      projectId,
      stepRowId: step.id,
      stepKey: step.step_id,
      message,
      status: "pending",
      comment: null,
      waiters: new Set(),
    };
    this.#byId.set(pending.id, pending);
    await this.db.workflowRunStep.update({ where: { id: step.id }, data: { status: "waiting" } });
    this.#publish(pending, "requested");
    return view(pending);
  }

  /** The request `id` of `runId`, after waiting up to `seconds` for it to be decided. */
  async wait(runId: string, id: string, seconds: number): Promise<AgentApprovalView> {
    const pending = this.#byId.get(id);
    if (!pending || pending.runId !== runId) {
      throw new HttpError("NOT_FOUND", `No approval request ${id} of this run`);
    }
    if (pending.status === "pending" && seconds > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          pending.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(seconds, MAX_APPROVAL_WAIT_SECONDS) * 1000);
        pending.waiters.add(done);
      });
    }
    return view(pending);
  }

  /**
   * `steps` with the open request of each waiting one as `approval_request`, so a run read
   * after the request was made shows it as the event did.
   */
  withRequests<T extends { id: string; status: string }>(
    steps: T[],
  ): (T & { approval_request: { id: string; message: string } | null })[] {
    const open = new Map<string, Pending>();
    for (const pending of this.#byId.values()) {
      if (pending.status === "pending") open.set(pending.stepRowId, pending);
    }
    return steps.map((step) => {
      const pending = step.status === "waiting" ? open.get(step.id) : undefined;
      return {
        ...step,
        approval_request: pending ? { id: pending.id, message: pending.message } : null,
      };
    });
  }

  /**
   * Decides the open request of step `stepKey` of `runId`, if there is one (the approvals
   * route asks here before the engine's own approval steps). Answers whether it did.
   */
  async decide(
    runId: string,
    stepKey: string,
    decision: { approved: boolean; comment?: string },
  ): Promise<boolean> {
    const pending = [...this.#byId.values()].find(
      (p) => p.runId === runId && p.stepKey === stepKey && p.status === "pending",
    );
    if (!pending) return false;
    await this.db.workflowRunStep.updateMany({
      where: { id: pending.stepRowId, status: "waiting" },
      data: { status: "running" },
    });
    this.#settle(pending, decision.approved ? "approved" : "rejected", decision.comment ?? null);
    return true;
  }

  #settle(
    pending: Pending,
    status: Exclude<AgentApprovalStatus, "pending">,
    comment: string | null,
  ) {
    if (pending.status !== "pending") return;
    pending.status = status;
    pending.comment = comment;
    this.#publish(pending, status);
    for (const waiter of [...pending.waiters]) waiter();
  }

  #publish(pending: Pending, status: "requested" | Exclude<AgentApprovalStatus, "pending">) {
    this.hub.publish({
      type: "workflow.step.approval",
      data: {
        execution_id: pending.runId,
        project_id: pending.projectId,
        step_id: pending.stepRowId,
        step_key: pending.stepKey,
        approval_id: pending.id,
        status,
        message: pending.message,
        comment: pending.comment,
      },
    });
  }

  /** A step that ended takes its open requests with it; ended ones are forgotten. */
  #onEvent(event: WorkflowEvent): void {
    if (event.type !== "workflow.step.completed") return;
    for (const pending of [...this.#byId.values()]) {
      if (pending.stepRowId !== event.data.step_id) continue;
      this.#settle(pending, "expired", null);
      this.#byId.delete(pending.id);
    }
  }
}

function view(pending: Pending): AgentApprovalView {
  return {
    approval_id: pending.id,
    status: pending.status,
    message: pending.message,
    comment: pending.comment,
  };
}
