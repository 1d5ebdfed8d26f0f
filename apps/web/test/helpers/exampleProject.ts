import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fakeAgentEnv } from "@phaseboard/agent-cli/testing";
import { tempDir } from "@phaseboard/test-kit";

/** The repository's own templates: the examples a new user opens first. */
export const REPO_DEFINITIONS = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "..",
  ".agent",
  "workflows",
  "definitions",
);

/**
 * A temp project holding a copy of the shipped example templates and the given files,
 * for a server to run them against. Agent steps reach the fake `claude`, `codex` and
 * `gemini` (put first on this process's PATH, which the server's agent steps inherit).
 */
export function exampleProject(files: Record<string, string> = {}): string {
  const project = tempDir("examples");
  const definitions = join(project, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  cpSync(REPO_DEFINITIONS, definitions, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), content);
  }
  Object.assign(process.env, fakeAgentEnv({ reply: "Fixed it." }));
  return project;
}
