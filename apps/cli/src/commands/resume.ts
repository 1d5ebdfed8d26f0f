import type { Command } from "commander";
import { withConnection } from "../connection/withConnection.js";
import { followRun } from "../follow/followRun.js";
import { Output } from "../output/Output.js";
import { paintStatus } from "../output/printRunStatus.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { finish } from "./run.js";

interface ResumeOptions extends ProjectOptions, JsonOptions {
  follow?: boolean;
}

export function registerResumeCommand(program: Command): void {
  const command = program
    .command("resume")
    .description(
      "continue a paused, waiting, failed or interrupted run from its last checkpoint (a failed run re-runs the step that failed)",
    )
    .argument("<id>", "run id")
    .option("-f, --follow", "follow the run until it ends (always so without a server)")
    .action((id: string, options: ResumeOptions) => resume(id, options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard resume ckx1abc", "phaseboard resume ckx1abc --follow"]);
}

async function resume(id: string, options: ResumeOptions): Promise<void> {
  const out = new Output(options);
  await withConnection(
    options,
    async (connection) => {
      await connection.api.getRun(id);
      // Without a server this process is the one executing the run, so it must stay.
      if (options.follow || connection.mode === "embedded") {
        const end = await followRun({ connection, out, act: () => connection.api.resume(id) });
        finish(out, end.run, end.kind, connection.mode);
        return;
      }
      const run = await connection.api.resume(id);
      out.result(run, (r) => out.line(`${r.id} ${paintStatus(out, r.status)}`));
    },
    { runId: id },
  );
}
