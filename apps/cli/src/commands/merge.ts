import type { Command } from "commander";
import { withConnection } from "../connection/withConnection.js";
import { Output } from "../output/Output.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

export function registerMergeCommand(program: Command): void {
  const command = program
    .command("merge")
    .description("merge a run's branch into its base branch in your checkout (squash by default)")
    .argument("<id>", "run id")
    .option("--ff", "fast-forward the base to the run's branch instead of squashing")
    .option("-m, --message <text>", "the commit message (default: the run's name)")
    .action(
      async (
        id: string,
        options: ProjectOptions & JsonOptions & { ff?: boolean; message?: string },
      ) => {
        const out = new Output(options);
        await withConnection(
          options,
          async ({ api }) => {
            const merged = await api.merge(id, {
              mode: options.ff ? "ff" : "squash",
              ...(options.message !== undefined && { message: options.message }),
            });
            out.result(merged, () =>
              out.line(
                `Merged ${id} into ${merged.base_ref} (${merged.mode === "ff" ? "fast-forward" : "squash"}) at ${merged.commit.slice(0, 7)}`,
              ),
            );
          },
          { runId: id },
        );
      },
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard merge ckx1abc",
    'phaseboard merge ckx1abc -m "Add search to the header"',
    "phaseboard merge ckx1abc --ff",
  ]);
}
