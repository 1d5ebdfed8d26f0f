import type { Command } from "commander";
import type { ApiClient } from "../api/ApiClient.js";
import { ApiError } from "../api/ApiError.js";
import { subscribeEvents } from "../api/subscribeEvents.js";
import type { StepDto } from "../api/wireTypes.js";
import { withConnection } from "../connection/withConnection.js";
import { UsageError } from "../errors/UsageError.js";
import { RunFollower } from "../follow/RunFollower.js";
import { Output } from "../output/Output.js";
import { paintStatus } from "../output/printRunStatus.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

interface LogsOptions extends ProjectOptions, JsonOptions {
  step?: string;
  follow?: boolean;
}

export function registerLogsCommand(program: Command): void {
  const command = program
    .command("logs")
    .description("print a run's step logs (events.jsonl), optionally following new output")
    .argument("<id>", "run id")
    .option("--step <step>", "only this step (its id, e.g. build or build#2)")
    .option("-f, --follow", "keep printing new output until the run ends")
    .action((id: string, options: LogsOptions) => logs(id, options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard logs ckx1abc",
    "phaseboard logs ckx1abc --step build",
    "phaseboard logs ckx1abc --follow",
  ]);
}

interface LogLine {
  at?: string;
  kind?: string;
  text?: string;
}

async function logs(id: string, options: LogsOptions): Promise<void> {
  const out = new Output(options);
  await withConnection(
    options,
    async (connection) => {
      const { api } = connection;
      const run = await api.getRun(id);
      let steps = run.steps ?? [];
      if (options.step) {
        const wanted = options.step;
        steps = steps.filter((s) => s.step_id === wanted || s.id === wanted || s.name === wanted);
        if (steps.length === 0) {
          const known = (run.steps ?? []).map((s) => s.step_id);
          throw new UsageError(
            `--step ${wanted}: run ${id} has no such step${known.length ? `; its steps: ${known.join(", ")}` : " yet"}`,
            { code: "STEP_NOT_FOUND" },
          );
        }
      }
      const collected: { step_id: string; status: string; events: LogLine[] }[] = [];
      for (const step of steps) {
        const events = await readEvents(connection.api, step);
        collected.push({ step_id: step.step_id, status: step.status, events });
        if (!out.json) printStep(out, step, events);
      }
      if (!options.follow) {
        out.result(collected, () => {});
        return;
      }
      // With --follow, --json streams: the logs so far, then one line per new event.
      out.jsonLine(collected);
      if (["completed", "failed", "cancelled"].includes(run.status)) return;
      const follower = new RunFollower(out, id, {});
      const wantedStep = options.step;
      const stepRowIds = new Set(steps.map((step) => step.id));
      const subscription = subscribeEvents({
        baseUrl: connection.baseUrl,
        token: connection.token,
        projectId: connection.project.id,
        onEvent: (event) => {
          if (wantedStep && event.type.startsWith("workflow.step.")) {
            // Events name a step by its memo key or its row id, depending on the event.
            const names = [event.data.step_key, event.data.step_id, event.data.step_name];
            const ours = names.some(
              (name) => name === wantedStep || (name !== undefined && stepRowIds.has(String(name))),
            );
            if (!ours) return;
          }
          follower.handle(event);
        },
        onClose: () => follower.checkStatus("failed"),
      });
      try {
        await subscription.ready;
        // It may have ended between the first fetch and the subscription.
        follower.checkStatus((await api.getRun(id)).status);
        await follower.settled;
      } finally {
        subscription.close();
      }
    },
    { runId: id },
  );
}

async function readEvents(api: ApiClient, step: StepDto): Promise<LogLine[]> {
  try {
    let log = await api.getStepLog(step.id, "events");
    // The server parses events.jsonl for us; older servers send only the text.
    if (Array.isArray(log.events)) {
      const events = log.events as LogLine[];
      // A big log comes in ranges: read on until the end.
      while (log.truncated && log.next_after !== undefined && log.events?.length) {
        log = await api.getStepLog(step.id, "events", log.next_after);
        events.push(...((log.events ?? []) as LogLine[]));
      }
      return events;
    }
    return log.content
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          return { text: line };
        }
      });
  } catch (error) {
    // A step that has not started has no log yet.
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

function printStep(out: Output, step: StepDto, events: LogLine[]): void {
  const c = out.colors;
  out.line(`${c.bold(`── ${step.step_id}`)} ${c.dim(step.phase)} ${paintStatus(out, step.status)}`);
  for (const event of events) {
    if (event.text === undefined) continue;
    const text = event.text.replace(/\n+$/, "");
    const paint =
      event.kind === "stderr" ? c.red : event.kind === "system" ? c.dim : (s: string) => s;
    for (const line of text.split("\n")) out.line(`  ${paint(line)}`);
  }
}
