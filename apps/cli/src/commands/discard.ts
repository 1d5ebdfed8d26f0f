import type { Command } from "commander";
import { UsageError } from "../errors/UsageError.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { steerRun } from "./steerRun.js";

export function registerDiscardCommand(program: Command): void {
  const command = program
    .command("discard")
    .description("throw a run's work away: delete its worktree and branch, archive the run")
    .argument("<id>", "run id")
    .option("--yes", "confirm: the run's changes cannot be recovered afterwards")
    .action((id: string, options: ProjectOptions & JsonOptions & { yes?: boolean }) => {
      if (!options.yes) {
        throw new UsageError(
          `discard deletes run ${id}'s worktree and branch for good; add --yes to confirm`,
          { code: "CONFIRM_REQUIRED" },
        );
      }
      return steerRun(
        id,
        options,
        (api) => api.discard(id),
        (run) => `${run?.id ?? id} discarded: worktree and branch removed, run archived`,
      );
    });
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard discard ckx1abc --yes"]);
}
