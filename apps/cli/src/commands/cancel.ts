import type { Command } from "commander";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { statusLine, steerRun } from "./steerRun.js";

export function registerCancelCommand(program: Command): void {
  const command = program
    .command("cancel")
    .description("cancel a run: stop its running step, run its finally steps, end it")
    .argument("<id>", "run id")
    .action((id: string, options: ProjectOptions & JsonOptions) =>
      steerRun(
        id,
        options,
        (api) => api.cancel(id),
        (run, out) => statusLine(out, run, id),
      ),
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard cancel ckx1abc"]);
}
