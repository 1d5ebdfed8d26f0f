import { existsSync, type FSWatcher, readFileSync, statSync, watch } from "node:fs";
import { join } from "node:path";
import type { ProjectConfig, ProjectConfigError } from "@phaseboard/contracts";
import { ProjectConfigFileError } from "./ProjectConfigFileError.js";
import { parseProjectConfig } from "./parseProjectConfig.js";

/** Where a project keeps its own settings. */
export function projectConfigFile(projectPath: string): string {
  return join(projectPath, ".agent", "phaseboard.yaml");
}

/** A project's config as last read: the config, or why the file was refused. */
export interface ProjectConfigState {
  config: ProjectConfig | null;
  error: ProjectConfigError | null;
}

interface Cached extends ProjectConfigState {
  stamp: string;
}

/**
 * Each project's `.agent/phaseboard.yaml`, read again whenever the file changed (its size
 * and modification time are checked on every read, which costs one stat), so a run
 * starting always sees what is on disk. `watch` tells a listener when the file changes —
 * a raised budget can then let paused runs go on.
 */
export class ProjectConfigs {
  readonly #cache = new Map<string, Cached>();
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  /** The project's config now; a missing file is an empty config. */
  get(projectPath: string): ProjectConfigState {
    const file = projectConfigFile(projectPath);
    let stamp = "missing";
    try {
      const info = statSync(file);
      stamp = `${info.size}:${info.mtimeMs}:${info.ino}`;
    } catch {
      // No file: no setup, no cleanup, no project budget.
    }
    const cached = this.#cache.get(projectPath);
    if (cached?.stamp === stamp) return { config: cached.config, error: cached.error };
    const state = stamp === "missing" ? { config: null, error: null } : read(file);
    this.#cache.set(projectPath, { ...state, stamp });
    return state;
  }

  /**
   * Calls `onChange` (after 50 ms of quiet) each time the project's `.agent` folder sees
   * its config file written. A project without an `.agent` folder is not watched.
   */
  watch(projectPath: string, onChange: () => void): void {
    if (this.#watchers.has(projectPath)) return;
    const folder = join(projectPath, ".agent");
    if (!existsSync(folder)) return;
    try {
      const watcher = watch(folder, (_event, name) => {
        if (name !== null && name !== "phaseboard.yaml") return;
        clearTimeout(this.#timers.get(projectPath));
        const timer = setTimeout(() => {
          this.#timers.delete(projectPath);
          onChange();
        }, 50);
        timer.unref();
        this.#timers.set(projectPath, timer);
      });
      watcher.on("error", () => undefined);
      this.#watchers.set(projectPath, watcher);
    } catch {
      // A folder that cannot be watched: the config is still read on every run start.
    }
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#watchers.clear();
    this.#timers.clear();
  }
}

function read(file: string): ProjectConfigState {
  try {
    return { config: parseProjectConfig(readFileSync(file, "utf8"), file), error: null };
  } catch (error) {
    if (error instanceof ProjectConfigFileError) return { config: null, error: error.toJSON() };
    return {
      config: null,
      error: {
        code: "PROJECT_CONFIG_UNREADABLE",
        message: `${file} ${error instanceof Error ? error.message : String(error)}`,
        file,
      },
    };
  }
}
