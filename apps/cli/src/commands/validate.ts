import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { LoadedTemplate } from "@phaseboard/workflow-engine";
import type { Command } from "commander";
import { CommandFailedError } from "../errors/CommandFailedError.js";
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

interface Diagnostic {
  file: string;
  ok: boolean;
  line?: number;
  column?: number;
  message?: string;
}

export function registerValidateCommand(program: Command): void {
  const command = program
    .command("validate")
    .description(
      "check templates and agent declarations; errors print as file:line:col message (exit 1 on any)",
    )
    .argument("[files...]", "template files (default: every template of the project)")
    .option("--typecheck", "also type-check TypeScript templates with the TypeScript compiler")
    .action((files: string[], options: ValidateOptions) => validate(files, options));
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    "phaseboard validate",
    "phaseboard validate .agent/workflows/definitions/hello.yaml",
    "phaseboard validate --typecheck .agent/workflows/definitions/ship.ts",
    "phaseboard validate --json",
  ]);
}

type ValidateOptions = ProjectOptions & JsonOptions & { typecheck?: boolean };

async function validate(files: string[], options: ValidateOptions): Promise<void> {
  const out = new Output(options);
  const cwd = invocationDir();
  const engine = await loadEngineTemplates();
  const diagnostics: Diagnostic[] = [];
  const check = async (template: LoadedTemplate) => {
    if (options.typecheck && template.ok && template.format === "code") {
      const errors = await engine.typecheckTemplate(template.path);
      if (errors.length > 0) {
        for (const error of errors) {
          diagnostics.push({
            file: relative(cwd, error.file),
            ok: false,
            message: error.message,
            ...(error.line !== undefined && { line: error.line }),
            ...(error.column !== undefined && { column: error.column }),
          });
        }
        return;
      }
    }
    diagnostics.push(toDiagnostic(template, cwd));
  };
  // Steps may name the built-in agents and the project's declared ones. A file checked
  // outside any project is checked without that list.
  const projectDir = files.length === 0 ? findProjectDir(options) : tryProjectDir(options);
  const agents = projectDir ? await engine.discoverAgents(projectDir) : undefined;
  const checks = agents && { knownAgents: engine.knownAgentNames(agents) };
  if (files.length === 0) {
    for (const agent of agents ?? []) {
      if (agent.ok) diagnostics.push({ file: relative(cwd, agent.path), ok: true });
      else {
        diagnostics.push({
          file: relative(cwd, agent.path),
          ok: false,
          message: templateErrorDetail(agent.error),
          ...(agent.error.line !== undefined && { line: agent.error.line }),
          ...(agent.error.column !== undefined && { column: agent.error.column }),
        });
      }
    }
    for (const template of await engine.discoverTemplates(
      definitionsDir(projectDir as string),
      checks,
    )) {
      await check(template);
    }
  } else {
    for (const file of files) {
      const path = resolve(cwd, file);
      if (!existsSync(path)) {
        diagnostics.push({ file, ok: false, message: "no such file" });
        continue;
      }
      await check(await engine.loadTemplate(path, checks));
    }
  }
  const failed = diagnostics.filter((d) => !d.ok);
  out.result(diagnostics, () => {
    const c = out.colors;
    for (const d of diagnostics) {
      if (d.ok) out.line(`${c.green("✓")} ${d.file}`);
      else
        out.line(
          `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ""} ${c.red(d.message ?? "")}`,
        );
    }
    if (diagnostics.length === 0) out.line("No templates to validate.");
    else if (failed.length === 0) out.line(c.green(`${diagnostics.length} template(s) valid`));
  });
  if (failed.length > 0) {
    throw new CommandFailedError(`${failed.length} of ${diagnostics.length} template(s) invalid`, {
      code: "INVALID_TEMPLATES",
    });
  }
}

function tryProjectDir(options: ProjectOptions): string | undefined {
  try {
    return findProjectDir(options);
  } catch {
    return undefined;
  }
}

function toDiagnostic(template: LoadedTemplate, cwd: string): Diagnostic {
  if (template.ok) return { file: relative(cwd, template.path), ok: true };
  const { error } = template;
  const diagnostic: Diagnostic = {
    file: relative(cwd, error.file || template.path),
    ok: false,
    message: templateErrorDetail(error),
  };
  if (error.line !== undefined) diagnostic.line = error.line;
  if (error.column !== undefined) diagnostic.column = error.column;
  return diagnostic;
}
