import type { ServerEvent } from "../api/wireTypes.js";
import { terminalStatuses } from "../api/wireTypes.js";
import { formatDuration } from "../output/formatDuration.js";
import type { Output } from "../output/Output.js";

interface RunningStep {
  name: string;
  startedAt: number;
}

/**
 * Renders one run's live events: a line per phase, a spinner per running step, a line
 * with the duration when it ends, agent messages as they stream. Resolves `settled`
 * with the run's status once it reaches one where following stops.
 */
export class RunFollower {
  readonly settled: Promise<string>;
  private settle!: (status: string) => void;
  private readonly running = new Map<string, RunningStep>();
  private readonly stopAt: Set<string>;
  private phase: string | undefined;

  constructor(
    private readonly out: Output,
    readonly runId: string,
    options: { stopAt?: string[] } = {},
  ) {
    this.stopAt = new Set([...terminalStatuses, ...(options.stopAt ?? [])]);
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Feeds one server event; events of other runs are ignored. */
  handle(event: ServerEvent): void {
    const data = event.data ?? {};
    if (data.execution_id !== this.runId) return;
    if (this.out.json) {
      this.out.jsonLine(event);
      if (event.type === "workflow.execution.status_changed") this.checkStatus(String(data.status));
      return;
    }
    const c = this.out.colors;
    switch (event.type) {
      case "workflow.execution.phase_changed": {
        const phase = String(data.current_phase ?? data.phase ?? "");
        if (phase && phase !== this.phase) {
          this.phase = phase;
          this.out.line(c.bold(c.magenta(`▌ ${phase}`)));
        }
        break;
      }
      case "workflow.step.started": {
        const key = stepKey(data);
        const name = String(data.step_name ?? data.name ?? key);
        this.running.set(key, { name, startedAt: Date.now() });
        if (!this.out.interactive) this.out.line(`  ${c.cyan("▸")} ${name}`);
        this.refreshSpinner();
        break;
      }
      case "workflow.step.progress": {
        const text = progressText(data);
        if (text) {
          for (const line of text.replace(/\n+$/, "").split("\n"))
            this.out.line(`    ${c.dim("│")} ${line}`);
        }
        break;
      }
      case "workflow.step.completed": {
        const key = stepKey(data);
        const step = this.running.get(key);
        this.running.delete(key);
        const status = String(data.status ?? "completed");
        const ms =
          typeof data.duration_ms === "number"
            ? data.duration_ms
            : step
              ? Date.now() - step.startedAt
              : Number.NaN;
        const name = step?.name ?? String(data.step_name ?? key);
        const mark =
          status === "completed" ? c.green("✓") : status === "skipped" ? c.dim("○") : c.red("✗");
        const error = typeof data.error_message === "string" ? ` ${c.red(data.error_message)}` : "";
        this.out.stopSpinner();
        this.out.line(
          `  ${mark} ${name} ${c.dim(formatDuration(ms))}${status === "completed" ? "" : ` ${status}`}${error}`,
        );
        this.refreshSpinner();
        break;
      }
      case "workflow.execution.status_changed":
        this.checkStatus(String(data.status));
        break;
      default:
        break;
    }
  }

  /** Called when the run's status is learnt another way (a fetch after reconnecting). */
  checkStatus(status: string): void {
    if (this.stopAt.has(status)) {
      this.out.stopSpinner();
      this.settle(status);
    }
  }

  private refreshSpinner(): void {
    const names = [...this.running.values()].map((step) => step.name);
    if (names.length === 0) this.out.stopSpinner();
    else this.out.spin(names.join(", "));
  }
}

// step_id is on every step event (started, progress, completed); step_key only on some.
function stepKey(data: Record<string, unknown>): string {
  return String(data.step_id ?? data.step_key ?? "");
}

/** The text a progress event carries: raw output, or an agent's message. */
function progressText(data: Record<string, unknown>): string | undefined {
  if (typeof data.output === "string") return data.output;
  const event = data.event as { text?: unknown; kind?: unknown } | undefined;
  if (event && typeof event.text === "string" && event.kind !== "system") return event.text;
  return undefined;
}
