import { type Command, Option } from "commander";

/** `--project DIR`, accepted by every command that works on a project. */
export function withProjectOption(command: Command): Command {
  return command.addOption(
    new Option("--project <dir>", "project root (default: nearest folder with .agent/)"),
  );
}

/** `--json`: the read commands print one JSON document for scripts instead of text. */
export function withJsonOption(command: Command): Command {
  return command.option("--json", "print JSON for scripts instead of text");
}

/** The `Examples:` block every command's --help ends with. */
export function withExamples(command: Command, examples: string[]): Command {
  return command.addHelpText(
    "after",
    `\nExamples:\n${examples.map((example) => `  $ ${example}`).join("\n")}\n`,
  );
}

export interface ProjectOptions {
  project?: string;
}
export interface JsonOptions {
  json?: boolean;
}
