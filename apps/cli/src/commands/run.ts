import type { Command } from "commander";
import type { RunDto } from "../api/wireTypes.js";
import { checkArgsAgainstSchema } from "../args/checkArgsAgainstSchema.js";
import { parseRunArgs } from "../args/parseRunArgs.js";
import { withConnection } from "../connection/withConnection.js";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import { followRun } from "../follow/followRun.js";
import { Output } from "../output/Output.js";
import { paintStatus } from "../output/printRunStatus.js";
import { summarizeResult } from "../output/summarizeResult.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { invocationDir } from "../project/findProjectDir.js";
import { resolveTemplate, templateIdentifier } from "../templates/resolveTemplate.js";

interface RunOptions extends ProjectOptions, JsonOptions {
  arg?: string[];
  argsFile?: string;
  name?: string;
  detach?: boolean;
  after?: string[];
}

/** Exit status after Ctrl-C (128 + SIGINT), as shells report an interrupted command. */
export const INTERRUPTED_EXIT_CODE = 130;

export function registerRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description("start a run of a template and follow it until it ends")
    .argument("<template>", "template identifier, name, id or file path")
    .option(
      "--arg <key=value>",
      "a template argument (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--args-file <file>", "template arguments as a JSON object (--arg wins)")
    .option("--name <name>", "the run's name on the board")
    .option("--detach", "start the run and return at once, printing its id")
    .option(
      "--after <id>",
      "start only once this run has completed (repeatable: after all of them)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action((template: string, options: RunOptions) => run(template, options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard run hello --arg who=world",
    "phaseboard run implement-feature --args-file args.json --name 'Login page'",
    "phaseboard run .agent/workflows/definitions/hello.yaml --arg who=me --detach",
    "phaseboard run deploy --after ckx1abc --after ckx2def --detach",
  ]);
}

async function run(reference: string, options: RunOptions): Promise<void> {
  const out = new Output(options);
  // Malformed --arg / --args-file fail before anything is opened or created.
  parseRunArgs({ arg: options.arg, argsFile: options.argsFile, cwd: invocationDir() });
  await withConnection(options, async (connection, projectDir) => {
    if (options.detach && connection.mode === "embedded") {
      throw new UsageError(
        "--detach needs a running server to carry the run on: start one with `phaseboard serve`",
        { code: "DETACH_WITHOUT_SERVER" },
      );
    }
    const definitions = await connection.api.listDefinitions(connection.project.id);
    const definition = resolveTemplate(reference, definitions, {
      projectDir,
      cwd: invocationDir(),
    });
    if (definition.error) {
      throw new UsageError(
        `template "${templateIdentifier(definition)}" does not load: ${typeof definition.error === "string" ? definition.error : definition.error.message} (see phaseboard validate)`,
        { code: "TEMPLATE_INVALID" },
      );
    }
    const args = parseRunArgs({
      arg: options.arg,
      argsFile: options.argsFile,
      cwd: invocationDir(),
      schema: definition.args_schema,
    });
    await checkArgsAgainstSchema(definition.args_schema, args);
    const create = () =>
      connection.api.createRun({
        project_id: connection.project.id,
        workflow_definition_id: definition.id,
        name: options.name,
        args,
        ...(options.after && { after: options.after }),
      });
    if (options.detach) {
      const created = await create();
      out.result(created, (r) => out.line(r.id));
      return;
    }
    const c = out.colors;
    const end = await followRun({
      connection,
      out,
      act: create,
      onStarted: (started: RunDto) =>
        out.line(
          `${c.bold(started.name)} ${c.dim(`${started.id} · ${templateIdentifier(definition)}`)}`,
        ),
    });
    finish(out, end.run, end.kind, connection.mode);
  });
}

/** Prints how following ended and sets the exit code: 0 only for a completed run. */
export function finish(
  out: Output,
  run: RunDto,
  kind: "settled" | "detached" | "paused",
  mode: "server" | "embedded",
): void {
  const c = out.colors;
  // After the event lines of `--json`, the run itself as the last line.
  out.jsonLine(run);
  if (kind === "detached") {
    out.line(
      mode === "server"
        ? `Detached; the run goes on. Follow it with: phaseboard logs ${run.id} --follow`
        : `Detached. This process was running it, so it stops here; \`phaseboard serve\` picks it up again.`,
    );
    process.exitCode = INTERRUPTED_EXIT_CODE;
    return;
  }
  if (kind === "paused" || run.status === "paused") {
    out.line(`${paintStatus(out, "paused")}. Resume with: phaseboard resume ${run.id}`);
    process.exitCode = kind === "paused" ? INTERRUPTED_EXIT_CODE : 1;
    return;
  }
  if (run.status === "completed") {
    out.line(`${c.green("✓")} Run ${paintStatus(out, "completed")}`);
    if (run.result !== undefined && run.result !== null) {
      out.line(`  result ${summarizeResult(run.result)}`);
    }
    return;
  }
  out.line(
    `${c.red("✗")} Run ${paintStatus(out, run.status)}${run.error_message ? `: ${run.error_message}` : ""}`,
  );
  throw new CommandFailedError(`run ${run.id} ${run.status}`, {
    code: `RUN_${run.status.toUpperCase()}`,
  });
}
