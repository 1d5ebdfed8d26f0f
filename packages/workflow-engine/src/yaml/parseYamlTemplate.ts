import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { TemplateLoadError } from "../templates/TemplateLoadError.js";
import { validateYamlTemplate, type YamlTemplateChecks } from "./validateYamlTemplate.js";
import { describePath, type YamlPath, YamlSource } from "./YamlSource.js";
import { YAML_STEP_TYPES, type YamlTemplate, yamlTemplateSchema } from "./yamlTemplateSchema.js";

/**
 * Parses and validates a YAML template. Every problem is a TemplateLoadError naming the
 * file, line and column and what was expected; the first one found is thrown.
 *
 * @example
 * const template = parseYamlTemplate(readFileSync(file, "utf8"), file);
 */
export function parseYamlTemplate(
  text: string,
  file: string,
  checks: YamlTemplateChecks = {},
): YamlTemplate {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = syntaxError.linePos?.[0];
    throw new TemplateLoadError(
      "YAML_SYNTAX",
      `YAML syntax error: ${firstLine(syntaxError.message)}`,
      {
        file,
        line: position?.line,
        column: position?.col,
      },
    );
  }
  const source = new YamlSource(file, document, lineCounter);
  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new TemplateLoadError(
      "TEMPLATE_INVALID",
      "expected a mapping with name, phases and steps",
      { file, ...source.locate([]) },
    );
  }
  const record = raw as Record<string, unknown>;
  checkStepTypes(record.steps, ["steps"], source);
  checkStepTypes(record.finally, ["finally"], source);

  const parsed = yamlTemplateSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error, raw, source);
  validateYamlTemplate(parsed.data, source, checks);
  return parsed.data;
}

// Checked before zod so that a wrong `type:` gets one precise message instead of a
// union's list of every way each alternative failed.
function checkStepTypes(steps: unknown, path: YamlPath, source: YamlSource): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step: unknown, index) => {
    if (step === null || typeof step !== "object") return;
    const record = step as Record<string, unknown>;
    const at = [...path, index];
    if (record.type === undefined && Array.isArray(record.parallel)) record.type = "parallel";
    if (record.type === "function") {
      throw new TemplateLoadError(
        "FUNCTION_STEP_IN_YAML",
        `${describePath(at)}.type: "function" steps run TypeScript code and exist only in TypeScript templates; use a script step, or write the template in TypeScript`,
        { file: source.file, ...source.locate([...at, "type"]) },
      );
    }
    if (
      typeof record.type !== "string" ||
      !(YAML_STEP_TYPES as readonly string[]).includes(record.type)
    ) {
      const got = record.type === undefined ? "no type" : `type ${JSON.stringify(record.type)}`;
      throw new TemplateLoadError(
        "UNKNOWN_STEP_TYPE",
        `${describePath(at)} has ${got}: expected one of ${YAML_STEP_TYPES.join(", ")}`,
        { file: source.file, ...source.locate([...at, "type"]) },
      );
    }
    if (record.type === "parallel") checkStepTypes(record.parallel, [...at, "parallel"], source);
  });
}

function schemaError(error: z.ZodError, raw: unknown, source: YamlSource): TemplateLoadError {
  // A misspelt field explains more than the "required" error its absence causes.
  const issue =
    error.issues.find((candidate) => candidate.code === "unrecognized_keys") ?? error.issues[0];
  if (!issue)
    return new TemplateLoadError("TEMPLATE_INVALID", "invalid template", { file: source.file });
  const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    message = `unknown field ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}`;
    path.push(issue.keys[0] ?? "");
  } else if (valueAt(raw, path) === undefined) {
    message = `is required (${expected(issue)})`;
  } else {
    message = expected(issue);
  }
  return new TemplateLoadError("TEMPLATE_INVALID", `${describePath(path)}: ${message}`, {
    file: source.file,
    ...(issue.code === "unrecognized_keys" ? source.locateKey(path) : source.locate(path)),
  });
}

function expected(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "invalid_union") {
    const kinds = issue.errors.flatMap((branch) =>
      branch.flatMap((inner) => (inner.code === "invalid_type" ? [inner.expected] : [])),
    );
    if (kinds.length > 0) return `expected ${[...new Set(kinds)].join(" or ")}`;
  }
  return issue.message;
}

function valueAt(raw: unknown, path: YamlPath): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

// The yaml package appends "at line L, column C:" and a code frame; the location is
// already the prefix of our message.
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}
