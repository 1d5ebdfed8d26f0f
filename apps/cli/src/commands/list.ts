import { runStatuses } from "@phaseboard/contracts/runStates";
import type { Command } from "commander";
import { withConnection } from "../connection/withConnection.js";
import { UsageError } from "../errors/UsageError.js";
import { formatTable } from "../output/formatTable.js";
import { Output } from "../output/Output.js";
import { durationBetween, paintStatus } from "../output/printRunStatus.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { templateIdentifier } from "../templates/resolveTemplate.js";

/** Every status `--status` takes: the contracts' one table of run states, `blocked` included. */
export const RUN_STATUSES = runStatuses;

interface ListOptions extends ProjectOptions, JsonOptions {
  status?: string;
  template?: string;
}

export function registerListCommand(program: Command): void {
  const command = program
    .command("list")
    .description("list the project's runs, newest first")
    .option("--status <status>", `only runs in this status (${RUN_STATUSES.join(", ")})`)
    .option("--template <template>", "only runs of this template (identifier, name or id)")
    .action((options: ListOptions) => list(options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard list",
    "phaseboard list --status running --template hello",
    "phaseboard list --json | jq -r '.[].id'",
  ]);
}

async function list(options: ListOptions): Promise<void> {
  if (options.status && !(RUN_STATUSES as readonly string[]).includes(options.status)) {
    throw new UsageError(`--status ${options.status}: expected one of ${RUN_STATUSES.join(", ")}`, {
      code: "BAD_STATUS",
    });
  }
  const out = new Output(options);
  await withConnection(options, async ({ api, project }) => {
    let definitionId: string | undefined;
    if (options.template) {
      const wanted = options.template;
      const definitions = await api.listDefinitions(project.id);
      const match = definitions.find(
        (d) =>
          d.id === wanted ||
          templateIdentifier(d) === wanted ||
          d.name.toLowerCase() === wanted.toLowerCase(),
      );
      if (!match) {
        throw new UsageError(
          `--template ${wanted}: no such template; available: ${definitions.map(templateIdentifier).sort().join(", ") || "none"}`,
          { code: "TEMPLATE_NOT_FOUND" },
        );
      }
      definitionId = match.id;
    }
    const runs = await api.listRuns({
      projectId: project.id,
      status: options.status,
      definitionId,
    });
    out.result(runs, () => {
      if (runs.length === 0) {
        out.line("No runs.");
        return;
      }
      const c = out.colors;
      out.line(
        formatTable([
          ["ID", "NAME", "STATUS", "PHASE", "DURATION"].map((h) => c.bold(h)),
          ...runs.map((run) => [
            run.id,
            run.name,
            paintStatus(out, run.status),
            run.current_phase ?? "-",
            durationBetween(run.started_at, run.completed_at),
          ]),
        ]),
      );
    });
  });
}
