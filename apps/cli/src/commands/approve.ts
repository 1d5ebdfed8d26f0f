import type { Command } from "commander";
import type { ApiClient } from "../api/ApiClient.js";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { statusLine, steerRun } from "./steerRun.js";

interface ApproveOptions extends ProjectOptions, JsonOptions {
  step?: string;
  reject?: boolean;
  comment?: string;
}

export function registerApproveCommand(program: Command): void {
  const command = program
    .command("approve")
    .description("answer the approval a waiting run asks for")
    .argument("<id>", "run id")
    .option("--step <step>", "which approval step, when the run waits on more than one")
    .option("--reject", "reject instead of approving")
    .option("--comment <text>", "a note kept with the decision")
    .action((id: string, options: ApproveOptions) =>
      steerRun(
        id,
        options,
        async (api) => {
          const step = await waitingApproval(api, id, options.step);
          return api.approve(id, step, {
            approved: !options.reject,
            ...(options.comment && { comment: options.comment }),
          });
        },
        (run, out) => `${statusLine(out, run, id)} — ${options.reject ? "rejected" : "approved"}`,
      ),
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard approve ckx1abc",
    "phaseboard approve ckx1abc --step deploy-approval --reject --comment 'not on Friday'",
  ]);
}

/** The memo key of the approval step the run waits on: the one named, or the only one. */
async function waitingApproval(api: ApiClient, id: string, named: string | undefined) {
  const run = await api.getRun(id);
  const waiting = (run.steps ?? []).filter(
    (step) => step.type === "approval" && step.status === "waiting",
  );
  if (named) {
    if (waiting.some((step) => step.step_id === named)) return named;
    throw new UsageError(
      `--step ${named}: run ${id} is not waiting on that approval${waiting.length ? `; it waits on: ${waiting.map((s) => s.step_id).join(", ")}` : ""}`,
      { code: "NO_SUCH_APPROVAL" },
    );
  }
  const [only, ...others] = waiting;
  if (!only) {
    throw new CommandFailedError(
      `run ${id} is not waiting for an approval (status ${run.status})`,
      {
        code: "NOT_WAITING",
      },
    );
  }
  if (others.length > 0) {
    throw new UsageError(
      `run ${id} waits on several approvals; choose one with --step: ${waiting.map((s) => s.step_id).join(", ")}`,
      { code: "AMBIGUOUS_APPROVAL" },
    );
  }
  return only.step_id;
}
