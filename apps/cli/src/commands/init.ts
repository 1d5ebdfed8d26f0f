import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import {
  ignoreRunData,
  RUN_DATA_DIR,
} from "@phaseboard/web/src/server/domain/project/ignoreRunData.js";
import type { Command } from "commander";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { starterTemplates } from "../init/starterTemplates.js";
import { Output } from "../output/Output.js";
import { type ProjectOptions, withExamples, withProjectOption } from "../program/commandOptions.js";
import { invocationDir } from "../project/findProjectDir.js";

export const DEFINITIONS_DIR = join(".agent", "workflows", "definitions");

export function registerInitCommand(program: Command): void {
  const command = program
    .command("init")
    .description("create .agent/workflows/definitions/ with two starter templates")
    .action((options: ProjectOptions) => init(options));
  withProjectOption(command);
  withExamples(command, ["phaseboard init", "phaseboard init --project ~/code/my-repo"]);
}

async function init(options: ProjectOptions): Promise<void> {
  const out = new Output({});
  // init makes a project, so it does not walk up looking for one.
  const root = options.project ? resolve(invocationDir(), options.project) : invocationDir();
  const dir = join(root, DEFINITIONS_DIR);
  const targets = starterTemplates.map((template) => ({
    ...template,
    path: join(dir, template.file),
  }));
  const existing = targets.filter((target) => existsSync(target.path));
  if (existing.length > 0) {
    // Checked before writing anything, so a refusal leaves the folder as it was.
    throw new CommandFailedError(
      `${existing.map((target) => relative(invocationDir(), target.path)).join(", ")} already ${existing.length === 1 ? "exists" : "exist"}; init never overwrites templates`,
      { code: "ALREADY_INITIALIZED" },
    );
  }
  mkdirSync(dir, { recursive: true });
  for (const target of targets) writeFileSync(target.path, target.content, { flag: "wx" });
  const ignored = await ignoreRunData(root);
  const c = out.colors;
  out.line(`${c.green("✓")} Created ${relative(invocationDir(), dir) || dir} with:`);
  for (const target of targets) out.line(`    ${target.file}`);
  if (ignored) {
    out.line(
      `${c.green("✓")} Added ${RUN_DATA_DIR} to .gitignore (run logs and artifacts stay local)`,
    );
  }
  out.line();
  out.line("Next steps:");
  out.line(`  ${c.cyan("phaseboard validate")}                    check the templates`);
  out.line(`  ${c.cyan("phaseboard run hello --arg who=world")}   start a run and follow it`);
  out.line(
    `  ${c.cyan("phaseboard serve")}                       open the board at http://127.0.0.1:4100`,
  );
}
