import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { AgentDeclarationError } from "./AgentDeclarationError.js";
import type { LoadedAgentDeclaration } from "./LoadedAgentDeclaration.js";
import { parseAgentDeclaration } from "./parseAgentDeclaration.js";

/** Where a project declares its own agent CLIs. */
export function agentsDir(projectPath: string): string {
  return join(projectPath, ".agent", "agents");
}

/**
 * Reads every `.agent/agents/<name>.yaml` (or `.yml`) of a project, sorted by file name.
 * A broken declaration is listed with its error, like a broken template; a missing
 * folder is an empty list. Never throws.
 *
 * @example
 * const usable = (await discoverAgents(projectPath)).filter((agent) => agent.ok);
 */
export async function discoverAgents(projectPath: string): Promise<LoadedAgentDeclaration[]> {
  const dir = agentsDir(projectPath);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && [".yaml", ".yml"].includes(extname(entry.name)))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  const loaded: LoadedAgentDeclaration[] = [];
  for (const fileName of names) {
    const path = join(dir, fileName);
    const name = basename(fileName, extname(fileName));
    try {
      const text = await readFile(path, "utf8");
      const declaration = parseAgentDeclaration(text, path, projectPath);
      loaded.push({ ok: true, name, path, declaration });
    } catch (error) {
      const problem =
        error instanceof AgentDeclarationError
          ? error
          : new AgentDeclarationError(
              "AGENT_DECLARATION_UNREADABLE",
              `cannot read the declaration: ${(error as Error).message}`,
              { file: path },
            );
      loaded.push({ ok: false, name, path, error: problem.toJSON() });
    }
  }
  // `echo.yaml` and `echo.yml` both declaring `echo` would make the name ambiguous.
  const seen = new Set<string>();
  return loaded.map((entry) => {
    if (!entry.ok || !seen.has(entry.name)) {
      seen.add(entry.name);
      return entry;
    }
    const clash = new AgentDeclarationError(
      "AGENT_NAME_TAKEN",
      `another file already declares the agent "${entry.name}"`,
      { file: entry.path, line: 1, column: 1 },
    );
    return { ok: false, name: entry.name, path: entry.path, error: clash.toJSON() };
  });
}
