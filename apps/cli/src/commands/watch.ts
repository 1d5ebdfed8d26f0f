import type { Command } from "commander";
import { subscribeEvents } from "../api/subscribeEvents.js";
import { withConnection } from "../connection/withConnection.js";
import { UsageError } from "../errors/UsageError.js";
import { Output } from "../output/Output.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

const EVENTS = ["waiting", "failed", "paused", "completed"] as const;

interface WatchOptions extends ProjectOptions, JsonOptions {
  events?: string;
}

export function registerWatchCommand(program: Command): void {
  const command = program
    .command("watch")
    .description(
      "print the project's run notifications as they happen: a run waits for an approval or a signal, failed, was paused by a budget, completed",
    )
    .option("--events <list>", `only these, comma-separated (${EVENTS.join(", ")})`)
    .action((options: WatchOptions) => watch(options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard watch",
    "phaseboard watch --events waiting,failed",
    "phaseboard watch --json | jq -r .message",
  ]);
}

async function watch(options: WatchOptions): Promise<void> {
  const out = new Output(options);
  const wanted = parseEvents(options.events);
  await withConnection(options, async (connection) => {
    if (connection.mode === "embedded") {
      out.note(
        "No running server found: watching the runs this command's own server executes (none, unless started elsewhere against it).",
      );
    }
    const c = out.colors;
    const paint: Record<string, (text: string) => string> = {
      waiting: c.magenta,
      failed: c.red,
      paused: c.yellow,
      completed: c.green,
    };
    let closed: (error?: Error) => void = () => {};
    const done = new Promise<Error | undefined>((resolve) => {
      closed = resolve;
    });
    const subscription = subscribeEvents({
      baseUrl: connection.baseUrl,
      token: connection.token,
      projectId: connection.project.id,
      onEvent: (event) => {
        if (event.type !== "workflow.execution.notification") return;
        const kind = String(event.data.event);
        if (!wanted.has(kind)) return;
        out.jsonLine(event.data);
        const time = new Date().toTimeString().slice(0, 8);
        out.line(
          `${c.dim(time)}  ${(paint[kind] ?? String)(kind.padEnd(9))} ${c.bold(String(event.data.run_name))} ${c.dim(String(event.data.execution_id))}  ${String(event.data.message)}`,
        );
      },
      onClose: (error) => closed(error),
    });
    await subscription.ready;
    out.note(`Watching ${connection.project.name} (Ctrl-C to stop)`);
    const stop = () => closed();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      const error = await done;
      if (error) throw error;
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      subscription.close();
    }
  });
}

function parseEvents(raw: string | undefined): Set<string> {
  if (raw === undefined) return new Set(EVENTS);
  const names = raw
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(EVENTS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--events ${raw}: expected a comma-separated list of ${EVENTS.join(", ")}`,
      { code: "BAD_EVENTS" },
    );
  }
  return new Set(names);
}
