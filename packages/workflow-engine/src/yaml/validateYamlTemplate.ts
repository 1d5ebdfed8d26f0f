import { compileCondition } from "../expressions/compileCondition.js";
import { ExpressionError } from "../expressions/ExpressionError.js";
import { parseTemplateString } from "../expressions/parseTemplateString.js";
import {
  shellScriptIndex,
  unsafeShellInterpolation,
} from "../expressions/unsafeShellInterpolation.js";
import { cronTriggerProblem } from "../parser/cronTriggerProblem.js";
import { argsSchemaValidator } from "../templates/argsSchemaValidator.js";
import { type TemplateErrorCode, TemplateLoadError } from "../templates/TemplateLoadError.js";
import { describePath, type YamlPath, type YamlSource } from "./YamlSource.js";
import type { YamlStep, YamlTemplate } from "./yamlTemplateSchema.js";

const STEP_REFERENCE = /\bsteps\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']+)["']\s*\])/g;

// CEL's reserved words plus the names the interpreter already puts in scope.
const RESERVED_NAMES = new Set([
  ..."as break const continue else false for function if import in let loop null package namespace return true var void while".split(
    " ",
  ),
  "args",
  "steps",
  "after",
  "run",
  "index",
]);

export interface YamlTemplateChecks {
  /**
   * The agents a step may name (built-in and the project's declared ones). Without it any
   * name passes, as when a pinned run is resumed from its snapshot.
   */
  knownAgents?: readonly string[] | undefined;
}

/**
 * The checks a schema cannot express: unique ids, known phases, `needs` that exist and
 * form no cycle, routing targets that exist, expressions that parse, cron schedules that
 * parse, an argsSchema Ajv can compile and, when the project's agents are known, agent
 * names that exist.
 */
export function validateYamlTemplate(
  template: YamlTemplate,
  source: YamlSource,
  checks: YamlTemplateChecks = {},
): void {
  const fail = (code: TemplateErrorCode, path: YamlPath, detail: string, innerOffset?: number) => {
    throw new TemplateLoadError(code, `${describePath(path)}: ${detail}`, {
      file: source.file,
      ...source.locate(path, innerOffset),
    });
  };

  if (template.argsSchema) {
    try {
      argsSchemaValidator(template.argsSchema);
    } catch (error) {
      fail(
        "INVALID_ARGS_SCHEMA",
        ["argsSchema"],
        `not a valid JSON Schema: ${(error as Error).message}`,
      );
    }
  }

  const allIds = new Set<string>();
  const collect = (steps: YamlStep[]) => {
    for (const step of steps) {
      allIds.add(step.id);
      if (step.type === "parallel") collect(step.parallel);
    }
  };
  collect(template.steps);
  collect(template.finally ?? []);

  // A typo in `steps.<id>` would otherwise surface only when the run reaches that step.
  const checkReferences = (source: string, path: YamlPath) => {
    for (const match of source.matchAll(STEP_REFERENCE)) {
      const id = match[1] ?? match[2] ?? "";
      if (!allIds.has(id)) {
        fail(
          "UNKNOWN_STEP_REFERENCE",
          path,
          `\`${source}\` refers to steps.${id}, but no step has the id "${id}"`,
        );
      }
    }
  };

  const seen = new Set<string>();
  const checkList = (steps: YamlStep[], path: YamlPath) => {
    const ids = steps.map((step) => step.id);
    const graph = steps.some((step) => step.needs !== undefined);
    steps.forEach((step, index) => {
      const at = [...path, index];
      if (seen.has(step.id)) {
        fail(
          "DUPLICATE_STEP_ID",
          [...at, "id"],
          `duplicate step id "${step.id}": every step id must be unique in the template`,
        );
      }
      seen.add(step.id);
      if (step.type === "agent" && checks.knownAgents && !checks.knownAgents.includes(step.agent)) {
        fail(
          "UNKNOWN_AGENT",
          [...at, "agent"],
          `unknown agent "${step.agent}": expected one of ${checks.knownAgents.join(", ")} (a project declares its own in .agent/agents/<name>.yaml)`,
        );
      }
      if (step.phase !== undefined && !template.phases.includes(step.phase)) {
        fail(
          "UNKNOWN_PHASE",
          [...at, "phase"],
          `phase "${step.phase}" is not one of the template's phases (${template.phases.join(", ")})`,
        );
      }
      for (const [n, need] of (step.needs ?? []).entries()) {
        if (!ids.includes(need)) {
          fail(
            "UNKNOWN_NEEDS",
            [...at, "needs", n],
            `needs "${need}", which is not a step of this list (expected one of ${ids.join(", ")})`,
          );
        }
      }
      const routes: Array<[YamlPath, string]> = [];
      if (typeof step.onSuccess === "string") routes.push([[...at, "onSuccess"], step.onSuccess]);
      else if (step.onSuccess) {
        routes.push([[...at, "onSuccess", "then"], step.onSuccess.then]);
        if (step.onSuccess.else) routes.push([[...at, "onSuccess", "else"], step.onSuccess.else]);
        const key = step.onSuccess.if !== undefined ? "if" : "condition";
        checkCondition(step.onSuccess.if ?? step.onSuccess.condition ?? "", [
          ...at,
          "onSuccess",
          key,
        ]);
      }
      if (step.onFailure) routes.push([[...at, "onFailure"], step.onFailure]);
      for (const [routePath, target] of routes) {
        if (graph) {
          fail(
            "ROUTING_WITH_NEEDS",
            routePath,
            "onSuccess/onFailure routing needs steps that run in order; this list schedules by `needs`, so route inside a sequential list instead",
          );
        }
        if (!ids.includes(target)) {
          fail(
            "UNKNOWN_ROUTE_TARGET",
            routePath,
            `routes to "${target}", which is not a step of this list (expected one of ${ids.join(", ")})`,
          );
        }
      }
      if (step.if !== undefined) checkCondition(step.if, [...at, "if"]);
      if ("as" in step && step.as !== undefined && RESERVED_NAMES.has(step.as)) {
        fail(
          "TEMPLATE_INVALID",
          [...at, "as"],
          `"${step.as}" cannot name the loop variable: it is a reserved word or already means something in expressions`,
        );
      }
      checkStrings(step, at);
      if (step.type === "parallel") checkList(step.parallel, [...at, "parallel"]);
    });
    if (graph) checkCycles(steps, path);
  };

  const checkCondition = (text: string, path: YamlPath) => {
    try {
      checkReferences(compileCondition(text).source, path);
    } catch (error) {
      if (error instanceof ExpressionError)
        fail("EXPRESSION_SYNTAX", path, error.message, error.offset);
      throw error;
    }
  };

  const checkTemplateString = (text: string, path: YamlPath) => {
    try {
      for (const segment of parseTemplateString(text)) {
        if (segment.kind === "expression") checkReferences(segment.expression.source, path);
      }
    } catch (error) {
      if (error instanceof ExpressionError)
        fail("EXPRESSION_SYNTAX", path, error.message, error.offset);
      throw error;
    }
  };

  const checkDeep = (value: unknown, path: YamlPath): void => {
    if (typeof value === "string") checkTemplateString(value, path);
    else if (Array.isArray(value)) {
      for (const [i, entry] of value.entries()) checkDeep(entry, [...path, i]);
    } else if (value !== null && typeof value === "object") {
      for (const [key, entry] of Object.entries(value)) checkDeep(entry, [...path, key]);
    }
  };

  const checkStrings = (step: YamlStep, at: YamlPath) => {
    if (step.type === "parallel") return;
    if ("foreach" in step && step.foreach !== undefined)
      checkCondition(step.foreach, [...at, "foreach"]);
    switch (step.type) {
      case "agent":
        checkDeep({ prompt: step.prompt, cwd: step.cwd, env: step.env }, at);
        break;
      case "script":
        checkDeep({ command: step.command, cwd: step.cwd, env: step.env }, at);
        checkShellCommand(step.command, [...at, "command"]);
        break;
      case "approval":
        checkDeep({ message: step.message }, at);
        break;
      case "workflow":
        checkDeep({ workflow: step.workflow, args: step.args }, at);
        break;
      case "signal":
        checkDeep({ signal: step.signal }, at);
        break;
      case "sleep":
        break;
      case "comment":
        checkDeep({ text: step.text }, at);
        break;
      case "send-signal":
        checkDeep({ to: step.to, signal: step.signal, payload: step.payload }, at);
        break;
      case "template":
        checkDeep({ file: step.file, project: step.project }, at);
        break;
    }
  };

  // A value is shell-quoted for a bare position only; see TEMPLATES.md "Values in commands".
  const checkShellCommand = (command: string | string[], path: YamlPath) => {
    if (typeof command === "string") {
      const unsafe = unsafeShellInterpolation(command);
      if (unsafe) {
        const where = {
          "double-quoted": "inside double quotes",
          "single-quoted": "inside single quotes",
          backquoted: "inside backquotes",
          "here-document": "inside a here-document",
        }[unsafe.position];
        fail(
          "UNSAFE_INTERPOLATION",
          path,
          `{{ ${unsafe.expression} }} is ${where}, where its value could end the quoting and run as a command; write it outside any quotes (the value is shell-quoted as one word: echo "text:"{{ ${unsafe.expression} }}), or pass it in env: { VALUE: "{{ ${unsafe.expression} }}" } and write "$VALUE"`,
          unsafe.offset,
        );
      }
      return;
    }
    const script = shellScriptIndex(command);
    if (script === undefined) return;
    const expression = parseTemplateString(command[script] ?? "").find(
      (segment) => segment.kind === "expression",
    );
    if (expression?.kind === "expression") {
      const source = expression.expression.source;
      fail(
        "UNSAFE_INTERPOLATION",
        [...path, script],
        `{{ ${source} }} is in the script a shell runs, where its value would run as shell code; pass the value as an argument and use "$1" in the script: [${command.slice(0, script).join(", ")}, 'echo "$1"', sh, "{{ ${source} }}"] (to run a command given as an argument on purpose, write 'eval "$1"')`,
        expression.offset,
      );
    }
  };

  const checkCycles = (steps: YamlStep[], path: YamlPath) => {
    const byId = new Map(steps.map((step, index) => [step.id, { step, index }]));
    const state = new Map<string, "visiting" | "done">();
    const visit = (id: string, trail: string[]) => {
      if (state.get(id) === "done") return;
      if (state.get(id) === "visiting") {
        const cycle = [...trail.slice(trail.indexOf(id)), id];
        const first = byId.get(id);
        fail(
          "NEEDS_CYCLE",
          [...path, first?.index ?? 0, "needs"],
          `needs form a cycle: ${cycle.join(" → ")}`,
        );
      }
      state.set(id, "visiting");
      for (const need of byId.get(id)?.step.needs ?? []) visit(need, [...trail, id]);
      state.set(id, "done");
    };
    for (const step of steps) visit(step.id, []);
  };

  checkList(template.steps, ["steps"]);
  if (template.finally) checkList(template.finally, ["finally"]);

  template.triggers?.forEach((trigger, index) => {
    if (trigger.type !== "cron") return;
    const problem = cronTriggerProblem(trigger);
    if (problem !== undefined) {
      const field = problem.startsWith("unknown time zone") ? "timezone" : "schedule";
      fail("INVALID_CRON", ["triggers", index, field], problem);
    }
  });
}
