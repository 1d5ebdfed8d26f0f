import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors/UsageError.js";

/**
 * Builds a run's arguments from `--args-file` (a JSON object) and `--arg key=value`
 * pairs, which win over the file. A value is taken as JSON when the template's schema
 * says the field is not a string (`--arg retries=3` gives the number 3).
 *
 * @example
 * parseRunArgs({ arg: ["who=world"] }) // { who: "world" }
 */
export function parseRunArgs(options: {
  arg?: string[] | undefined;
  argsFile?: string | undefined;
  cwd?: string;
  schema?: Record<string, unknown> | null | undefined;
}): Record<string, unknown> {
  const args: Record<string, unknown> = options.argsFile
    ? readArgsFile(resolve(options.cwd ?? process.cwd(), options.argsFile), options.argsFile)
    : {};
  for (const pair of options.arg ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`--arg ${pair}: expected key=value`, { code: "BAD_ARG" });
    }
    const key = pair.slice(0, eq);
    args[key] = coerce(pair.slice(eq + 1), fieldType(options.schema, key));
  }
  return args;
}

function readArgsFile(path: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`--args-file ${shown}: no such file`, { code: "BAD_ARGS_FILE" });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--args-file ${shown}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      { code: "BAD_ARGS_FILE" },
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`--args-file ${shown}: expected a JSON object of arguments`, {
      code: "BAD_ARGS_FILE",
    });
  }
  return parsed as Record<string, unknown>;
}

function fieldType(schema: Record<string, unknown> | null | undefined, key: string): unknown {
  const properties = schema?.properties as Record<string, { type?: unknown }> | undefined;
  return properties?.[key]?.type;
}

function coerce(raw: string, type: unknown): unknown {
  const types = Array.isArray(type) ? type : [type];
  if (type === undefined || types.includes("string")) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    // Left as text: the schema check then names the field and the expected type.
    return raw;
  }
}
