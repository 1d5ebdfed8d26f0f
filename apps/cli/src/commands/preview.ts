import { setTimeout as delay } from "node:timers/promises";
import type { Command } from "commander";
import type { ApiClient } from "../api/ApiClient.js";
import type { PreviewDto } from "../api/wireTypes.js";
import { withConnection } from "../connection/withConnection.js";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { Output } from "../output/Output.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

export function registerPreviewCommand(program: Command): void {
  const command = program
    .command("preview")
    .description(
      "start the project's preview (its dev server) in a run's worktree on the run's port and print its address once it answers",
    )
    .argument("<id>", "run id")
    .option("--stop", "stop the run's preview instead")
    .action(async (id: string, options: ProjectOptions & JsonOptions & { stop?: boolean }) => {
      const out = new Output(options);
      await withConnection(
        options,
        async ({ api, mode }) => {
          if (options.stop) {
            const stopped = await api.stopPreview(id);
            out.result(stopped, () => out.line(`${id}: preview ${stopped.message ?? "stopped"}`));
            return;
          }
          await api.startPreview(id);
          const preview = await settled(api, id);
          out.result(preview, () => {
            if (preview.status === "ready") {
              out.line(`${id}: preview answers at ${out.colors.bold(preview.url)}`);
            } else {
              out.line(`${id}: preview ${preview.message ?? preview.status}`);
            }
          });
          if (preview.status !== "ready") {
            throw new CommandFailedError(
              `the preview ${preview.message ?? preview.status}; its output:\n${tail(preview.log)}`,
              { code: "PREVIEW_FAILED" },
            );
          }
          // Without a running server, the preview lives as long as this command.
          if (mode === "embedded") {
            out.line("No Phaseboard server is running: the preview stops when you press Ctrl-C.");
            await untilInterrupted(api, id, out);
          }
        },
        { runId: id },
      );
    });
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard preview ckx1abc", "phaseboard preview ckx1abc --stop"]);
}

/** Waits for the preview to answer, exit or give up (the server stops it after ready_timeout). */
async function settled(api: ApiClient, id: string): Promise<PreviewDto> {
  for (;;) {
    const { preview } = await api.preview(id);
    if (!preview) throw new CommandFailedError(`run ${id} has no preview`);
    if (preview.status !== "starting") return preview;
    await delay(250);
  }
}

async function untilInterrupted(api: ApiClient, id: string, out: Output): Promise<void> {
  const interrupted = new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  let stop = false;
  void interrupted.then(() => {
    stop = true;
  });
  while (!stop) {
    const { preview } = await api.preview(id);
    if (preview?.status !== "ready") {
      out.line(`${id}: preview ${preview?.message ?? "ended"}`);
      return;
    }
    await Promise.race([delay(500), interrupted]);
  }
}

function tail(log: string): string {
  return log.trimEnd().split("\n").slice(-20).join("\n") || "(no output)";
}
