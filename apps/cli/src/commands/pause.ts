import type { Command } from "commander";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { statusLine, steerRun } from "./steerRun.js";

export function registerPauseCommand(program: Command): void {
  const command = program
    .command("pause")
    .description("pause a run before its next step (--now interrupts the running step)")
    .argument("<id>", "run id")
    .option("--now", "interrupt the running step too; it runs again on resume")
    .action((id: string, options: ProjectOptions & JsonOptions & { now?: boolean }) =>
      steerRun(
        id,
        options,
        (api) => api.pause(id, { now: Boolean(options.now) }),
        (run, out) => `${statusLine(out, run, id)} — resume with: phaseboard resume ${id}`,
      ),
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard pause ckx1abc", "phaseboard pause ckx1abc --now"]);
}
