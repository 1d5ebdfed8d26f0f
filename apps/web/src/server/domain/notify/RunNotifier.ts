import type {
  NotificationEvent,
  NotifyTarget,
  RunNotification,
  RunStatus,
  WebhookDelivery,
  WorkflowEvent,
} from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import type { EventHub } from "../../events/EventHub.js";
import type { ProjectConfigs } from "../project/ProjectConfigs.js";
import { PROJECT_BUDGET_REACHED, PROJECT_BUDGET_UNKNOWN } from "../usage/UsageService.js";
import { pointsAtSelf } from "./pointsAtSelf.js";

export interface RunNotifierOptions {
  /**
   * Waits between attempts of one delivery (ms); the first attempt is immediate, so a
   * delivery makes `retryDelaysMs.length + 1` attempts in all. Default 1 s, 5 s, 30 s.
   */
  retryDelaysMs?: readonly number[] | undefined;
  /** How long one attempt may wait for the receiver's answer (ms, default 10 s). */
  timeoutMs?: number | undefined;
  /** The server's own address once it listens: a webhook pointing there is refused. */
  selfAddress?: (() => { host: string; port: number } | undefined) | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

const BUDGET_PREFIXES = ["Budget reached", PROJECT_BUDGET_REACHED, PROJECT_BUDGET_UNKNOWN];

/**
 * Tells people when a run needs them or has ended: on a run's status change to waiting,
 * failed, completed, or paused by a budget, it publishes `workflow.execution.notification`
 * (the board's browser notifications, `phaseboard watch`) and posts to the project's
 * `notify:` webhooks. Deliveries run beside the run — never awaited by it — with retries
 * and backoff, and every delivery is a row on the run with its attempts.
 */
export class RunNotifier {
  readonly #retryDelaysMs: readonly number[];
  readonly #timeoutMs: number;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly configs: ProjectConfigs,
    private readonly options: RunNotifierOptions = {},
  ) {
    this.#retryDelaysMs = options.retryDelaysMs ?? [1_000, 5_000, 30_000];
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  start(): void {
    this.#unsubscribe ??= this.hub.subscribe((event) => {
      const kind = notificationOf(event);
      if (!kind || event.type !== "workflow.execution.status_changed") return;
      this.#track(this.#notify(event.data.execution_id, kind, event.data.error_message ?? null));
    });
  }

  /** Stops listening and abandons deliveries in flight (their rows keep their attempts). */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Deliveries made for the run, oldest first. */
  async deliveries(runId: string): Promise<WebhookDelivery[]> {
    const rows = await this.db.webhookDelivery.findMany({
      where: { workflow_run_id: runId },
      orderBy: { created_at: "asc" },
    });
    return rows.map((row) => ({
      ...row,
      event: row.event as NotificationEvent,
      format: row.format as WebhookDelivery["format"],
      status: row.status as WebhookDelivery["status"],
      delivered_at: row.delivered_at?.toISOString() ?? null,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    }));
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #notify(runId: string, event: NotificationEvent, error: string | null): Promise<void> {
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      include: { project: { select: { path: true } } },
    });
    if (!run) return;
    const message = await this.#message(runId, event, error);
    const self = this.options.selfAddress?.();
    const notification: RunNotification = {
      event,
      execution_id: runId,
      project_id: run.project_id,
      run_name: run.name,
      message,
      url: self
        ? `http://${self.host.includes(":") ? `[${self.host}]` : self.host}:${self.port}/?project=${encodeURIComponent(run.project_id)}&run=${encodeURIComponent(runId)}`
        : null,
      at: new Date().toISOString(),
    };
    this.hub.publish({
      type: "workflow.execution.notification",
      data: {
        execution_id: runId,
        project_id: run.project_id,
        event,
        run_name: run.name,
        message,
      },
    });
    const targets = (this.configs.get(run.project.path).config?.notify ?? []).filter(
      (target) => !target.events || target.events.includes(event),
    );
    await Promise.all(targets.map((target) => this.#deliver(notification, target)));
  }

  async #message(runId: string, event: NotificationEvent, error: string | null): Promise<string> {
    if (event === "completed") return "Completed";
    if (event !== "waiting") return error ?? (event === "failed" ? "Failed" : "Paused");
    const step = await this.db.workflowRunStep.findFirst({
      where: { workflow_run_id: runId, status: "waiting" },
      orderBy: { sequence: "desc" },
    });
    if (!step) return "Waiting";
    return step.type === "approval"
      ? `Waiting for approval: ${step.name}`
      : `Waiting for a signal: ${step.name}`;
  }

  async #deliver(notification: RunNotification, target: NotifyTarget): Promise<void> {
    const format = target.format ?? "json";
    const row = await this.db.webhookDelivery.create({
      data: {
        workflow_run_id: notification.execution_id,
        event: notification.event,
        url: target.url,
        format,
      },
    });
    const self = this.options.selfAddress?.();
    if (self && pointsAtSelf(target.url, self)) {
      await this.db.webhookDelivery.update({
        where: { id: row.id },
        data: {
          status: "failed",
          last_error: "the URL points at this Phaseboard server itself; not sent",
        },
      });
      return;
    }
    const body = JSON.stringify(
      format === "slack"
        ? { text: slackText(notification) }
        : { type: `run.${notification.event}`, ...notification },
    );
    const signal = this.#abort.signal;
    for (let attempt = 1; attempt <= this.#retryDelaysMs.length + 1; attempt++) {
      if (signal.aborted) return;
      let status: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetch(target.url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "Phaseboard" },
          body,
          redirect: "manual",
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
        });
        status = response.status;
        await response.body?.cancel().catch(() => undefined);
        if (!response.ok) error = `the receiver answered ${response.status}`;
      } catch (caught) {
        if (signal.aborted) return;
        error =
          caught instanceof Error && caught.name === "TimeoutError"
            ? `no answer within ${this.#timeoutMs} ms`
            : caught instanceof Error
              ? caught.cause instanceof Error
                ? caught.cause.message
                : caught.message
              : String(caught);
      }
      const last = attempt > this.#retryDelaysMs.length;
      await this.db.webhookDelivery.update({
        where: { id: row.id },
        data: {
          attempts: attempt,
          last_status: status,
          last_error: error,
          ...(error === null
            ? { status: "delivered", delivered_at: new Date() }
            : last && { status: "failed" }),
        },
      });
      if (error === null || last) return;
      await sleep(this.#retryDelaysMs[attempt - 1] ?? 0, signal);
    }
  }
}

/** Which notification a status change is, if any: only a budget's pause counts. */
function notificationOf(event: WorkflowEvent): NotificationEvent | undefined {
  if (event.type !== "workflow.execution.status_changed") return undefined;
  const status: RunStatus = event.data.status;
  if (status === "waiting" || status === "failed" || status === "completed") return status;
  if (status === "paused") {
    const error = event.data.error_message ?? "";
    if (BUDGET_PREFIXES.some((prefix) => error.startsWith(prefix))) return "paused";
  }
  return undefined;
}

function slackText(notification: RunNotification): string {
  // Slack reads <, > and & as markup: a run name cannot become a link or a mention.
  const plain = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const name = plain(notification.run_name);
  const title = notification.url ? `<${notification.url}|${name}>` : name;
  return `*${title}*: ${plain(notification.message)}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
