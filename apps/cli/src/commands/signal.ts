import type { Command } from "commander";
import { UsageError } from "../errors/UsageError.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { statusLine, steerRun } from "./steerRun.js";

export function registerSignalCommand(program: Command): void {
  const command = program
    .command("signal")
    .description("send a named signal (with an optional JSON payload) to a run")
    .argument("<id>", "run id")
    .argument("<name>", "the signal's name, as in ctx.waitForSignal(name)")
    .option("--payload <json>", "JSON value delivered with the signal")
    .action(
      (id: string, name: string, options: ProjectOptions & JsonOptions & { payload?: string }) => {
        const payload = parsePayload(options.payload);
        return steerRun(
          id,
          options,
          (api) => api.signal(id, name, payload),
          (run, out) =>
            `${statusLine(out, run, id)} — signal ${name} sent${
              run && run.id !== id ? ` (run ${id} continued as ${run.id})` : ""
            }`,
        );
      },
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard signal ckx1abc deployed",
    `phaseboard signal ckx1abc review-done --payload '{"approved":true}'`,
  ]);
}

function parsePayload(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new UsageError(
      `--payload: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      { code: "BAD_PAYLOAD" },
    );
  }
}
