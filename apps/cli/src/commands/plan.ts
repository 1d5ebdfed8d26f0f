import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import { Output } from "../output/Output.js";
import { type JsonOptions, withExamples, withJsonOption } from "../program/commandOptions.js";
import { invocationDir } from "../project/findProjectDir.js";
import { loadEngineTemplates } from "../templates/loadEngineTemplates.js";
import { templateErrorDetail } from "../templates/templateErrorDetail.js";

export function registerPlanCommand(program: Command): void {
  const command = program
    .command("plan")
    .description("dry run: the phases and steps a template would run, without running it")
    .argument("<file>", "a template file")
    .action((file: string, options: JsonOptions) => plan(file, options));
  withJsonOption(command);
  withExamples(command, [
    "phaseboard plan .agent/workflows/definitions/fix-bug.yaml",
    "phaseboard plan .agent/workflows/definitions/ship.ts --json",
  ]);
}

async function plan(file: string, options: JsonOptions): Promise<void> {
  const out = new Output(options);
  const path = resolve(invocationDir(), file);
  if (!existsSync(path)) throw new UsageError(`${file}: no such file`, { code: "NO_SUCH_FILE" });
  const engine = await loadEngineTemplates();
  const template = await engine.loadTemplate(path);
  if (!template.ok) {
    const { error } = template;
    const where = `${relative(invocationDir(), error.file || path)}${error.line ? `:${error.line}:${error.column ?? 1}` : ""}`;
    throw new CommandFailedError(`${where} ${templateErrorDetail(error)}`, {
      code: "INVALID_TEMPLATE",
    });
  }
  const described = engine.describeTemplate(template.definition);
  out.result(described, () => {
    const c = out.colors;
    out.line(`${c.bold(described.name)} (${template.format})`);
    for (const phase of described.phases) {
      out.line(`  ${c.bold(phase.name)}`);
      if (!described.stepsKnown) continue;
      if (phase.steps.length === 0) out.line(c.dim("    no steps"));
      for (const step of phase.steps) out.line(`    ${step.id}  ${c.dim(step.type)}`);
    }
    if (!described.stepsKnown)
      out.line(c.dim("  (a TypeScript template decides its steps as it runs)"));
  });
}
