import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerApproveCommand } from "../commands/approve.js";
import { registerCancelCommand } from "../commands/cancel.js";
import { registerClusterCommand } from "../commands/cluster.js";
import { registerDiffCommand } from "../commands/diff.js";
import { registerDiscardCommand } from "../commands/discard.js";
import { registerInitCommand } from "../commands/init.js";
import { registerListCommand } from "../commands/list.js";
import { registerLogsCommand } from "../commands/logs.js";
import { registerMcpCommand } from "../commands/mcp.js";
import { registerMergeCommand } from "../commands/merge.js";
import { registerPauseCommand } from "../commands/pause.js";
import { registerPlanCommand } from "../commands/plan.js";
import { registerPreviewCommand } from "../commands/preview.js";
import { registerResumeCommand } from "../commands/resume.js";
import { registerReviewCommand } from "../commands/review.js";
import { registerRewindCommand } from "../commands/rewind.js";
import { registerRunCommand } from "../commands/run.js";
import { registerServeCommand } from "../commands/serve.js";
import { registerSignalCommand } from "../commands/signal.js";
import { registerStatusCommand } from "../commands/status.js";
import { registerTemplatesCommand } from "../commands/templates.js";
import { registerValidateCommand } from "../commands/validate.js";
import { registerWatchCommand } from "../commands/watch.js";
import { registerWorkerCommand } from "../commands/worker.js";
import { withExamples } from "./commandOptions.js";

const { version } = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as { version: string };

/**
 * The `phaseboard` command tree. Commander throws instead of exiting (exitOverride) so
 * main() owns the exit code and the one-line error format.
 */
export function createProgram(): Command {
  const program = new Command("phaseboard")
    .description("Run phased AI-agent workflows and steer them from the terminal")
    .version(version, "-v, --version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      // Errors are written by main() as one line; commander's own copy would duplicate it.
      outputError: () => {},
    });
  withExamples(program, [
    "phaseboard init",
    "phaseboard run hello --arg who=world",
    "phaseboard list --status running",
    "phaseboard serve --port 4100",
  ]);
  for (const register of [
    registerServeCommand,
    registerInitCommand,
    registerTemplatesCommand,
    registerValidateCommand,
    registerPlanCommand,
    registerRunCommand,
    registerListCommand,
    registerStatusCommand,
    registerLogsCommand,
    registerPauseCommand,
    registerResumeCommand,
    registerCancelCommand,
    registerRewindCommand,
    registerApproveCommand,
    registerSignalCommand,
    registerWatchCommand,
    registerDiffCommand,
    registerReviewCommand,
    registerMergeCommand,
    registerDiscardCommand,
    registerPreviewCommand,
    registerClusterCommand,
    registerWorkerCommand,
    registerMcpCommand,
  ]) {
    register(program);
  }
  return program;
}
