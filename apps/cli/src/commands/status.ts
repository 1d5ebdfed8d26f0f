import type { Command } from "commander";
import { withConnection } from "../connection/withConnection.js";
import { Output } from "../output/Output.js";
import { printRunStatus } from "../output/printRunStatus.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

export function registerStatusCommand(program: Command): void {
  const command = program
    .command("status")
    .description("show a run: status, phase, steps and durations")
    .argument("<id>", "run id")
    .action((id: string, options: ProjectOptions & JsonOptions) => status(id, options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard status ckx1abc",
    "phaseboard status ckx1abc --json | jq .status",
  ]);
}

async function status(id: string, options: ProjectOptions & JsonOptions): Promise<void> {
  const out = new Output(options);
  await withConnection(
    options,
    async ({ api }) => {
      const run = await api.getRun(id);
      out.result(run, (r) => printRunStatus(out, r));
    },
    { runId: id },
  );
}
