import { type ProjectConfig, projectConfigSchema } from "@phaseboard/contracts";
import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { ProjectConfigFileError } from "./ProjectConfigFileError.js";

type Path = ReadonlyArray<PropertyKey>;

/**
 * Parses and validates `.agent/phaseboard.yaml`. The first problem is thrown as a
 * ProjectConfigFileError naming the file, line and column; unknown keys are refused so a
 * typo (`setpu:`) never silently does nothing. An empty file is an empty config.
 *
 * @example
 * const config = parseProjectConfig("workspace:\n  setup: pnpm install\n", file);
 */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = syntaxError.linePos?.[0];
    throw new ProjectConfigFileError(
      "YAML_SYNTAX",
      `YAML syntax error: ${syntaxError.message.split("\n")[0]}`,
      { file, line: position?.line, column: position?.col },
    );
  }
  const raw: unknown = document.toJS() ?? {};
  const parsed = projectConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const locate = (path: Path, key: boolean) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const at = path.slice(0, depth) as Array<string | number>;
      if (key && depth === path.length && depth > 0) {
        const parent = document.getIn(at.slice(0, -1), true);
        const pair = isMap(parent)
          ? parent.items.find((item) => isScalar(item.key) && item.key.value === at.at(-1))
          : undefined;
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        if (range) return lineCounter.linePos(range[0]);
      }
      const node = (depth === 0 ? document.contents : document.getIn(at, true)) as Node | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]);
    }
    return undefined;
  };
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] as string;
    const path = [...issue.path, key];
    const position = locate(path, true);
    throw new ProjectConfigFileError(
      "PROJECT_CONFIG_INVALID",
      `${describe(path)}: unknown key; expected ${expectedKeys(issue.path)}`,
      { file, line: position?.line, column: position?.col },
    );
  }
  const position = locate(issue.path, false);
  throw new ProjectConfigFileError(
    "PROJECT_CONFIG_INVALID",
    `${describe(issue.path)}: ${issue.message}`,
    { file, line: position?.line, column: position?.col },
  );
}

function expectedKeys(path: Path): string {
  const where = path.join(".");
  if (where === "") return "workspace, budget, preview or notify";
  if (where === "preview") return "command, port_env, ready_path or ready_timeout";
  if (/^notify\.\d+$/.test(where)) return "url, events or format";
  if (where === "workspace") return "setup, cleanup or setup_timeout";
  if (where === "budget") return "usd or tokens";
  return "no other keys";
}

/** `workspace.setup[1]` for ["workspace", "setup", 1]. */
function describe(path: Path): string {
  let out = "";
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "phaseboard.yaml" : out;
}
