import { relative } from "node:path";
import type { Command } from "commander";
import { formatTable } from "../output/formatTable.js";
import { Output } from "../output/Output.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";
import { findProjectDir, invocationDir } from "../project/findProjectDir.js";
import { definitionsDir, loadEngineTemplates } from "../templates/loadEngineTemplates.js";
import { templateErrorDetail } from "../templates/templateErrorDetail.js";

export function registerTemplatesCommand(program: Command): void {
  const command = program
    .command("templates")
    .description("list the project's workflow templates")
    .action((options: ProjectOptions & JsonOptions) => templates(options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard templates",
    "phaseboard templates --json | jq '.[].identifier'",
  ]);
}

async function templates(options: ProjectOptions & JsonOptions): Promise<void> {
  const out = new Output(options);
  const projectDir = findProjectDir(options);
  const engine = await loadEngineTemplates();
  const loaded = await engine.discoverTemplates(definitionsDir(projectDir));
  const rows = loaded.map((template) => ({
    identifier: template.identifier,
    name: template.ok ? template.definition.name : null,
    format: template.format,
    path: relative(projectDir, template.path),
    phases: template.ok ? template.definition.phases : [],
    error: template.ok ? null : templateErrorDetail(template.error),
  }));
  out.result(rows, () => {
    if (rows.length === 0) {
      out.line(`No templates in ${projectDir}. Create two with: phaseboard init`);
      return;
    }
    const c = out.colors;
    out.line(
      formatTable([
        ["TEMPLATE", "NAME", "FORMAT", "PHASES"].map((h) => c.bold(h)),
        ...rows.map((row) => [
          row.identifier,
          row.error ? c.red(`invalid: ${row.error}`) : (row.name ?? ""),
          row.format,
          row.phases.join(" → "),
        ]),
      ]),
    );
    if (rows.some((row) => row.error)) {
      out.line(
        c.dim(
          `Details: phaseboard validate (from ${relative(invocationDir(), projectDir) || "."})`,
        ),
      );
    }
  });
}
