import { existsSync, type FSWatcher, watch } from "node:fs";
import { posix, relative, sep } from "node:path";
import {
  type AgentDeclaration,
  type AgentInfo,
  detectAgents,
  findExecutable,
} from "@phaseboard/agent-cli";
import type { ProjectAgent } from "@phaseboard/contracts";
import {
  agentsDir,
  discoverAgents,
  knownAgentNames,
  type LoadedAgentDeclaration,
} from "@phaseboard/workflow-engine";

type Project = { id: string; path: string };

/** Reads a project's `.agent/agents/` (default: the engine's discoverAgents). */
export type AgentDeclarationLoader = (projectPath: string) => Promise<LoadedAgentDeclaration[]>;

/**
 * Each project's declared agents, as its `.agent/agents/` folder holds them now: read at
 * every template sync (a template may name only a known agent) and on any change in the
 * folder, so adding or fixing a declaration needs no restart.
 */
export class AgentCatalog {
  readonly #loaded = new Map<string, { path: string; entries: LoadedAgentDeclaration[] }>();
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly loader: AgentDeclarationLoader = discoverAgents,
    /** Quiet time after a file event before re-reading the folder (ms). */
    private readonly debounceMs = 50,
    /** How often to look for an agents folder that does not exist yet (ms). */
    private readonly appearPollMs = 2_000,
  ) {}

  /** Re-reads the project's declarations. */
  async sync(project: Project): Promise<void> {
    this.#loaded.set(project.id, { path: project.path, entries: await this.loader(project.path) });
  }

  /** The usable declarations, by name, for runAgent. */
  declarations(projectId: string): Record<string, AgentDeclaration> {
    const declared: Record<string, AgentDeclaration> = {};
    for (const entry of this.#loaded.get(projectId)?.entries ?? []) {
      if (entry.ok) declared[entry.name] = entry.declaration;
    }
    return declared;
  }

  /** What a template step may write in `agent:`: the built-ins, then the declared ones. */
  knownAgents(projectId: string): string[] {
    return knownAgentNames(this.#loaded.get(projectId)?.entries ?? []);
  }

  /** Every agent of the project, with whether it can run here and why not. */
  async list(project: Project): Promise<ProjectAgent[]> {
    if (!this.#loaded.has(project.id)) await this.sync(project);
    const builtIns = (await detectAgents()).map(describeBuiltIn);
    const declared = (this.#loaded.get(project.id)?.entries ?? []).map((entry) =>
      describeDeclared(entry, project.path),
    );
    return [...builtIns, ...declared];
  }

  /** Calls `onChange` (debounced) whenever a file under the project's agents folder changes. */
  watch(project: Project, onChange: () => void): void {
    if (this.#watchers.has(project.id)) return;
    const dir = agentsDir(project.path);
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { recursive: true });
    } catch {
      // No agents folder yet: look for it now and then, and watch it once it exists.
      const key = `${project.id}:appear`;
      if (this.#timers.has(key)) return;
      const timer = setInterval(() => {
        if (!existsSync(dir)) return;
        clearInterval(timer);
        this.#timers.delete(key);
        onChange();
        this.watch(project, onChange);
      }, this.appearPollMs);
      timer.unref();
      this.#timers.set(key, timer);
      return;
    }
    watcher.on("change", () => {
      clearTimeout(this.#timers.get(project.id));
      this.#timers.set(project.id, setTimeout(onChange, this.debounceMs));
    });
    watcher.on("error", () => watcher.close());
    this.#watchers.set(project.id, watcher);
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    for (const timer of this.#timers.values()) clearInterval(timer);
    this.#watchers.clear();
    this.#timers.clear();
  }
}

function describeBuiltIn(info: AgentInfo): ProjectAgent {
  return {
    name: info.agent,
    kind: "built-in",
    description: null,
    command: info.path ?? info.agent,
    path: null,
    output: info.agent,
    installed: info.installed,
    available: info.available,
    version: info.version ?? null,
    reason: info.reason ?? null,
    error: null,
  };
}

function describeDeclared(entry: LoadedAgentDeclaration, projectPath: string): ProjectAgent {
  const path = relative(projectPath, entry.path).split(sep).join(posix.sep);
  if (!entry.ok) {
    return {
      name: entry.name,
      kind: "declared",
      description: null,
      command: null,
      path,
      output: null,
      installed: false,
      available: false,
      version: null,
      reason: "The declaration does not parse; fix its file first.",
      error: {
        message: entry.error.message,
        code: entry.error.code,
        ...(entry.error.line !== undefined && { line: entry.error.line }),
        ...(entry.error.column !== undefined && { column: entry.error.column }),
        path,
      },
    };
  }
  const { declaration } = entry;
  const searchPath = declaration.env?.PATH ?? process.env.PATH;
  const found = findExecutable(declaration.command, searchPath);
  const missing = declaration.command.startsWith("/")
    ? `No executable file at ${declaration.command}.`
    : `\`${declaration.command}\` is not on PATH.`;
  return {
    name: entry.name,
    kind: "declared",
    description: declaration.description ?? null,
    command: found ?? declaration.command,
    path,
    output: declaration.output,
    installed: found !== undefined,
    available: found !== undefined,
    version: null,
    reason: found
      ? null
      : `${missing}${declaration.install ? ` To install it: ${declaration.install}` : ""}`,
    error: null,
  };
}
