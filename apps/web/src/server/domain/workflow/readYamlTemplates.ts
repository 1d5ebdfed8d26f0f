import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import type { LoadedTemplate, WorkflowDefinition } from "@phaseboard/workflow-engine";
import { parse } from "yaml";

/**
 * A reader for YAML templates' metadata (name, phases, args schema, steps, triggers),
 * used until the engine's full loader is wired in. The definitions it returns cannot
 * execute on their own: running them is the executor's job.
 */
export async function readYamlTemplates(dir: string): Promise<LoadedTemplate[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((entry) => entry.isFile() && /\.(ya?ml)$/.test(entry.name))
    .map((entry) => join(dir, entry.name))
    .sort();
  return Promise.all(files.map(readYamlTemplate));
}

async function readYamlTemplate(path: string): Promise<LoadedTemplate> {
  const bytes = await readFile(path);
  const identifier = basename(path, extname(path));
  const sourceHash = createHash("sha256").update(bytes).digest("hex");
  const fail = (message: string, line?: number): LoadedTemplate => ({
    ok: false,
    identifier,
    path,
    format: "yaml",
    sourceHash,
    error: {
      name: "TemplateError",
      code: "TEMPLATE_INVALID",
      message,
      file: path,
      ...(line && { line }),
    },
  });
  let document: Record<string, unknown>;
  try {
    document = parse(bytes.toString("utf8")) as Record<string, unknown>;
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    return fail(error instanceof Error ? error.message : String(error), line);
  }
  if (!document || typeof document !== "object") return fail("the file is not a YAML mapping");
  if (typeof document.name !== "string") return fail("`name` is required");
  const phases = document.phases;
  if (
    !Array.isArray(phases) ||
    phases.length === 0 ||
    !phases.every((p) => typeof p === "string")
  ) {
    return fail("`phases` must be a non-empty list of names");
  }
  const steps = Array.isArray(document.steps)
    ? (document.steps as Record<string, unknown>[]).map((step) => ({
        id: String(step.id),
        name: String(step.name ?? step.id),
        phase: String(step.phase ?? phases[0]),
        type: String(step.type ?? "script"),
      }))
    : [];
  const definition: WorkflowDefinition = {
    name: document.name,
    ...(typeof document.description === "string" && { description: document.description }),
    phases: phases as string[],
    argsSchema: (document.argsSchema as Record<string, unknown>) ?? { type: "object" },
    steps,
    ...(Array.isArray(document.triggers) && {
      triggers: document.triggers as WorkflowDefinition["triggers"],
    }),
    execute: async () => {
      throw new Error(`${identifier}: no executor is available for YAML templates`);
    },
  };
  return {
    ok: true,
    identifier,
    path,
    format: "yaml",
    sourceHash,
    definition,
    snapshot: {
      name: definition.name,
      ...(definition.description && { description: definition.description }),
      format: "yaml",
      phases: definition.phases,
      argsSchema: definition.argsSchema,
      steps,
      ...(definition.triggers && { triggers: definition.triggers }),
      source: { yaml: document },
    },
  };
}
