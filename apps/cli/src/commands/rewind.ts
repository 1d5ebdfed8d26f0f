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

export function registerRewindCommand(program: Command): void {
  const command = program
    .command("rewind")
    .description("rerun a run from a phase: keep earlier results, run the rest again on resume")
    .argument("<id>", "run id")
    .requiredOption("--phase <phase>", "the first phase to run again")
    .action((id: string, options: ProjectOptions & JsonOptions & { phase: string }) =>
      steerRun(
        id,
        options,
        async (api) => {
          const run = await api.getRun(id);
          const phases = run.workflow_definition?.phases;
          if (Array.isArray(phases) && !phases.includes(options.phase)) {
            throw new UsageError(
              `--phase ${options.phase}: not a phase of this run; its phases: ${phases.join(", ")}`,
              { code: "BAD_PHASE" },
            );
          }
          return api.rewind(id, options.phase);
        },
        (run, out) =>
          `${statusLine(out, run, id)} — rewound to ${options.phase}; continue with: phaseboard resume ${id}`,
      ),
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard rewind ckx1abc --phase implement"]);
}
