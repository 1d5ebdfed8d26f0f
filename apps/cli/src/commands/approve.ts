import type { Command } from "commander";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { statusLine, steerRun } from "./steerRun.js";

interface ApproveOptions extends ProjectOptions, JsonOptions {
  approval?: string;
  reject?: boolean;
  comment?: string;
}

export function registerApproveCommand(program: Command): void {
  const command = program
    .command("approve")
    .description("answer the approval a waiting run asks for")
    .argument("<id>", "run id")
    .option("--approval <id>", "which approval, when the run waits for more than one")
    .option("--reject", "reject instead of approving")
    .option("--comment <text>", "a note kept with the decision")
    .action((id: string, options: ApproveOptions) =>
      steerRun(
        id,
        options,
        (api) =>
          api.approve(id, {
            approved: !options.reject,
            ...(options.approval && { approval_id: options.approval }),
            ...(options.comment && { comment: options.comment }),
          }),
        (run, out) => `${statusLine(out, run, id)} — ${options.reject ? "rejected" : "approved"}`,
      ),
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard approve ckx1abc",
    "phaseboard approve ckx1abc --approval deploy --reject --comment 'not on Friday'",
  ]);
}
