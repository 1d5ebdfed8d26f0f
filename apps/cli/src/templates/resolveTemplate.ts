import { basename, extname, isAbsolute, relative, resolve } from "node:path";
import type { DefinitionDto } from "../api/wireTypes.js";
import { UsageError } from "../errors/UsageError.js";

/** The identifier of a definition: its own, else the file name without extension. */
export function templateIdentifier(
  definition: Pick<DefinitionDto, "path"> & { identifier?: string },
): string {
  return definition.identifier || basename(definition.path, extname(definition.path));
}

/**
 * Finds the template a user named: by identifier (`hello`), database id, display name
 * (any case) or file path (relative to where the command runs). A miss lists what exists.
 */
export function resolveTemplate(
  reference: string,
  definitions: DefinitionDto[],
  context: { projectDir: string; cwd: string },
): DefinitionDto {
  const asPath = relative(context.projectDir, resolve(context.cwd, reference));
  const lower = reference.toLowerCase();
  const match =
    definitions.find((d) => templateIdentifier(d) === reference || d.id === reference) ??
    definitions.find((d) => d.name.toLowerCase() === lower) ??
    definitions.find(
      (d) =>
        d.path === asPath || (isAbsolute(d.path) && d.path === resolve(context.cwd, reference)),
    );
  if (match) return match;
  const available = definitions.map(templateIdentifier).sort();
  throw new UsageError(
    available.length > 0
      ? `no template "${reference}"; available: ${available.join(", ")}`
      : `no template "${reference}": the project has no templates yet (run "phaseboard init")`,
    { code: "TEMPLATE_NOT_FOUND" },
  );
}
