import { basename, extname, isAbsolute, resolve } from "node:path";
import {
  AGENT_ARG_PLACEHOLDERS,
  type AgentArgTemplate,
  type AgentDeclaration,
  BUILT_IN_AGENTS,
  placeholdersIn,
} from "@phaseboard/agent-cli";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { describePath, type YamlPath, YamlSource } from "../yaml/YamlSource.js";
import { AgentDeclarationError, type AgentDeclarationErrorCode } from "./AgentDeclarationError.js";
import { agentDeclarationSchema } from "./agentDeclarationSchema.js";

/** What a step may write in `agent:`: lower-case letters, digits, `-` and `_`. */
export const AGENT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Parses and checks one `.agent/agents/<name>.yaml`. The agent's name is the file's name;
 * a relative `command` path (one holding a `/`) is resolved against the project. Every
 * problem is an AgentDeclarationError naming the file, line and column.
 *
 * @example
 * const echo = parseAgentDeclaration(readFileSync(file, "utf8"), file, projectPath);
 */
export function parseAgentDeclaration(
  text: string,
  file: string,
  projectPath: string,
): AgentDeclaration {
  const name = basename(file, extname(file));
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = syntaxError.linePos?.[0];
    const message = (syntaxError.message.split("\n")[0] ?? "").replace(
      / at line \d+, column \d+:?$/,
      "",
    );
    throw new AgentDeclarationError("AGENT_YAML_SYNTAX", `YAML syntax error: ${message}`, {
      file,
      line: position?.line,
      column: position?.col,
    });
  }
  const source = new YamlSource(file, document, lineCounter);
  const fail = (code: AgentDeclarationErrorCode, path: YamlPath, detail: string): never => {
    throw new AgentDeclarationError(code, detail, { file, ...source.locate(path) });
  };

  if (!AGENT_NAME.test(name)) {
    fail(
      "AGENT_NAME_INVALID",
      [],
      `the agent's name is its file's name, and "${name}" is not a usable name: use lower-case letters, digits, - and _`,
    );
  }
  if ((BUILT_IN_AGENTS as readonly string[]).includes(name)) {
    fail(
      "AGENT_NAME_TAKEN",
      [],
      `"${name}" is a built-in agent and cannot be declared again: rename the file (e.g. my-${name}.yaml)`,
    );
  }

  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    fail("AGENT_DECLARATION_INVALID", [], "expected a mapping with command, args and output");
  }
  const parsed = agentDeclarationSchema.safeParse(raw);
  if (!parsed.success) {
    const { path, message, atKey } = describeIssue(parsed.error, raw);
    throw new AgentDeclarationError(
      "AGENT_DECLARATION_INVALID",
      `${describePath(path)}: ${message}`,
      {
        file,
        ...(atKey ? source.locateKey(path) : source.locate(path)),
      },
    );
  }
  const declared = parsed.data;
  const prompt = declared.prompt ?? "argument";
  const args: readonly AgentArgTemplate[] =
    declared.args ?? (prompt === "argument" ? ["{prompt}"] : []);

  checkPlaceholders(declared.args ?? [], ["args"], true, fail);
  if (declared.resume) checkPlaceholders(declared.resume, ["resume"], false, fail);
  const used = placeholdersIn(args);
  if (prompt === "argument" && !used.has("prompt")) {
    fail(
      "AGENT_DECLARATION_INVALID",
      ["args"],
      'args: the prompt is passed as an argument, so args must hold "{prompt}" (or set prompt: stdin)',
    );
  }
  if (prompt === "stdin" && used.has("prompt")) {
    fail(
      "AGENT_DECLARATION_INVALID",
      ["args"],
      'args: the prompt goes to stdin, so "{prompt}" has no value here (or set prompt: argument)',
    );
  }
  if (declared.resume) {
    if (declared.output === "text") {
      fail(
        "AGENT_DECLARATION_INVALID",
        ["resume"],
        "resume: a text output reports no session id to resume; use a JSONL output (claude, codex or gemini) or remove resume",
      );
    }
    if (!placeholdersIn(declared.resume).has("session")) {
      fail(
        "AGENT_DECLARATION_INVALID",
        ["resume"],
        'resume: must hold "{session}", the id to resume',
      );
    }
  }

  const command = declared.command.includes("/")
    ? isAbsolute(declared.command)
      ? declared.command
      : resolve(projectPath, declared.command)
    : declared.command;
  return {
    name,
    command,
    args,
    prompt,
    output: declared.output,
    ...(declared.resume && { resume: declared.resume }),
    ...(declared.env && { env: declared.env }),
    ...(declared.install !== undefined && { install: declared.install }),
    ...(declared.description !== undefined && { description: declared.description }),
    file,
  };
}

/** Unknown placeholders are typos; `{resume}` must stand alone in args, where it is spliced. */
function checkPlaceholders(
  template: readonly AgentArgTemplate[],
  path: YamlPath,
  isArgs: boolean,
  fail: (code: AgentDeclarationErrorCode, path: YamlPath, detail: string) => never,
): void {
  template.forEach((element, index) => {
    const parts = typeof element === "string" ? [element] : element;
    parts.forEach((part, inner) => {
      const at = typeof element === "string" ? [...path, index] : [...path, index, inner];
      for (const name of placeholdersIn([part])) {
        if (!(AGENT_ARG_PLACEHOLDERS as readonly string[]).includes(name)) {
          fail(
            "AGENT_DECLARATION_INVALID",
            at,
            `${describePath(at)}: unknown placeholder "{${name}}": expected one of ${AGENT_ARG_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
          );
        }
        if (name === "resume" && !(isArgs && part === element)) {
          fail(
            "AGENT_DECLARATION_INVALID",
            at,
            `${describePath(at)}: "{resume}" must be a whole element of args, where the resume arguments go`,
          );
        }
      }
    });
  });
}

function describeIssue(
  error: z.ZodError,
  raw: unknown,
): { path: YamlPath; message: string; atKey: boolean } {
  // A misspelt field explains more than the "required" error its absence causes.
  const issue =
    error.issues.find((candidate) => candidate.code === "unrecognized_keys") ?? error.issues[0];
  if (!issue) return { path: [], message: "invalid declaration", atKey: false };
  const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return {
      path: [...path, issue.keys[0] ?? ""],
      message: `unknown field ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}: expected ${Object.keys(agentDeclarationSchema.shape).join(", ")}`,
      atKey: true,
    };
  }
  const missing = valueAt(raw, path) === undefined;
  let expected = issue.message;
  if (issue.code === "invalid_value") {
    expected = `expected one of ${issue.values.map(String).join(", ")}`;
  } else if (issue.code === "invalid_type") {
    expected = `expected ${path.at(-2) === "args" || path[0] === "args" || path[0] === "resume" ? "a string or a list of strings" : issue.expected}`;
    if (path.length === 1 && (path[0] === "args" || path[0] === "resume"))
      expected = "expected a list of strings";
  } else if (issue.code === "invalid_union") {
    expected = "expected a string or a list of strings";
  } else if (issue.code === "too_small" && path[0] === "command") {
    expected = "must name an executable";
  }
  const got = missing ? "" : `, got ${JSON.stringify(valueAt(raw, path))}`;
  return {
    path,
    message: missing ? `is required (${expected})` : `${expected}${got}`,
    atKey: false,
  };
}

function valueAt(raw: unknown, path: YamlPath): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}
