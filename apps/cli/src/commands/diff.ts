import type { Command } from "commander";
import type { RunDiffDto } from "../api/wireTypes.js";
import { withConnection } from "../connection/withConnection.js";
import { Output } from "../output/Output.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

export function registerDiffCommand(program: Command): void {
  const command = program
    .command("diff")
    .description("show what a run changed in its worktree against its base (as git diff)")
    .argument("<id>", "run id")
    .option("--stat", "only the files changed, with their added and removed lines")
    .action(async (id: string, options: ProjectOptions & JsonOptions & { stat?: boolean }) => {
      const out = new Output(options);
      await withConnection(
        options,
        async ({ api }) => {
          const diff = await api.diff(id);
          out.result(diff, () => printDiff(out, diff, Boolean(options.stat)));
        },
        { runId: id },
      );
    });
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, ["phaseboard diff ckx1abc", "phaseboard diff ckx1abc --stat"]);
}

function printDiff(out: Output, diff: RunDiffDto, stat: boolean): void {
  const c = out.colors;
  if (diff.files.length === 0) {
    out.line(`${diff.branch}: no changes against ${diff.base_ref}`);
    return;
  }
  if (stat) {
    out.line(c.dim(`${diff.branch} → ${diff.base_ref}`));
    const width = Math.max(...diff.files.map((file) => file.path.length));
    for (const file of diff.files) {
      out.line(
        `${file.status} ${file.path.padEnd(width)}  ${c.green(`+${file.additions}`)} ${c.red(`-${file.deletions}`)}`,
      );
    }
    const added = diff.files.reduce((sum, file) => sum + file.additions, 0);
    const removed = diff.files.reduce((sum, file) => sum + file.deletions, 0);
    out.line(
      `${diff.files.length} file(s) changed, ${added} insertion(s)(+), ${removed} deletion(s)(-)`,
    );
    return;
  }
  for (const line of diff.patch.replace(/\n$/, "").split("\n")) {
    out.line(paint(c, line));
  }
}

/** git's own colours: headers bold, hunks cyan, additions green, removals red. */
function paint(c: Output["colors"], line: string): string {
  if (/^(diff --git|index |--- |\+\+\+ |new file|deleted file|similarity|rename )/.test(line)) {
    return c.bold(line);
  }
  if (line.startsWith("@@")) return c.cyan(line);
  if (line.startsWith("+")) return c.green(line);
  if (line.startsWith("-")) return c.red(line);
  return line;
}
