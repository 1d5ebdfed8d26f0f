import { existsSync, type FSWatcher, watch } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { type DbClient, Prisma } from "@phaseboard/db";
import type { LoadedTemplate } from "@phaseboard/workflow-engine";
import { HttpError } from "../../HttpError.js";
import { AgentCatalog } from "../agents/AgentCatalog.js";
import type { TemplateLoader } from "./TemplateLoader.js";

type Project = { id: string; path: string };
type Loaded = Extract<LoadedTemplate, { ok: true }>;

/** Where a project keeps its templates. */
export function definitionsDir(projectPath: string): string {
  return join(projectPath, ".agent", "workflows", "definitions");
}

/**
 * Keeps `workflow_definitions` equal to what each project's `definitions/` folder holds:
 * added, edited, removed and broken files show up without a restart. The parsed
 * templates stay in memory, keyed by row id, for starting runs.
 */
export class DefinitionCatalog {
  readonly #loaded = new Map<string, Loaded>();
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(projectId: string) => void>();

  constructor(
    private readonly db: DbClient,
    private readonly loader: TemplateLoader,
    /** Quiet time after a file event before re-reading the folder (ms). */
    private readonly debounceMs = 50,
    /** How often to look for a definitions folder that does not exist yet (ms). */
    private readonly appearPollMs = 2_000,
    /** The projects' declared agents, which templates may name. */
    readonly agents: AgentCatalog = new AgentCatalog(),
  ) {}

  /** Called after every sync of a project (tests and triggers wait on it). */
  onSynced(listener: (projectId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the project's templates now; concurrent calls for one project queue. */
  sync(project: Project): Promise<void> {
    const previous = this.#syncing.get(project.id) ?? Promise.resolve();
    const next = previous.then(() => this.#sync(project)).catch(() => undefined);
    this.#syncing.set(project.id, next);
    return next;
  }

  async #sync(project: Project): Promise<void> {
    // Declarations first: a template naming an agent nobody declared does not load.
    await this.agents.sync(project);
    const templates = await this.loader(definitionsDir(project.path), {
      knownAgents: this.agents.knownAgents(project.id),
    });
    const seen = new Set<string>();
    for (const template of templates) {
      const path = relative(project.path, template.path).split(sep).join(posix.sep);
      seen.add(path);
      const common = {
        identifier: template.identifier,
        type: template.format,
        source_hash: template.sourceHash,
      };
      const fields = template.ok
        ? {
            ...common,
            name: template.definition.name,
            description: template.definition.description ?? null,
            phases: template.definition.phases,
            args_schema: template.definition.argsSchema as object,
            steps: (template.definition.steps ?? []) as object[],
            triggers: (template.definition.triggers ?? []) as object[],
            error: Prisma.DbNull,
          }
        : {
            ...common,
            name: template.identifier,
            phases: [],
            error: {
              message: template.error.message,
              code: template.error.code,
              ...(template.error.line !== undefined && { line: template.error.line }),
              ...(template.error.column !== undefined && { column: template.error.column }),
              path,
            },
          };
      const row = await this.db.workflowDefinition.upsert({
        where: { project_id_path: { project_id: project.id, path } },
        create: { project_id: project.id, path, ...fields },
        update: fields,
      });
      if (template.ok) this.#loaded.set(row.id, template);
      else this.#loaded.delete(row.id);
    }
    const gone = await this.db.workflowDefinition.findMany({
      where: { project_id: project.id, path: { notIn: [...seen] }, scope: "project" },
      include: { _count: { select: { runs: true } } },
    });
    for (const row of gone) {
      this.#loaded.delete(row.id);
      // Runs are pinned to their snapshot, so a removed template with runs stays listed.
      if (row._count.runs > 0) {
        await this.db.workflowDefinition.update({
          where: { id: row.id },
          data: {
            error: {
              message: "The template file was removed",
              code: "TEMPLATE_REMOVED",
              path: row.path,
            },
          },
        });
      } else {
        await this.db.workflowDefinition.delete({ where: { id: row.id } });
      }
    }
    for (const listener of this.#listeners) listener(project.id);
  }

  /**
   * Re-syncs the project whenever a file under its definitions folder changes. Should the
   * recursive watch fail (a symlink loop in the folder makes Node's walk fail with
   * ELOOP), the folder itself is watched instead, where the templates are: syncing never
   * stops silently.
   */
  watch(project: Project, recursive = true): void {
    // A changed declaration changes which templates load: re-sync them all.
    this.agents.watch(project, () => void this.sync(project));
    if (this.#watchers.has(project.id)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(definitionsDir(project.path), { recursive });
    } catch {
      if (recursive && existsSync(definitionsDir(project.path))) {
        this.watch(project, false);
        return;
      }
      // No definitions folder yet: look for it now and then, and watch it once it exists.
      const timer = setInterval(() => {
        if (!existsSync(definitionsDir(project.path))) return;
        clearInterval(timer);
        this.#timers.delete(`${project.id}:appear`);
        void this.sync(project).then(() => this.watch(project));
      }, this.appearPollMs);
      timer.unref();
      this.#timers.set(`${project.id}:appear`, timer);
      return;
    }
    watcher.on("change", () => {
      clearTimeout(this.#timers.get(project.id));
      this.#timers.set(
        project.id,
        setTimeout(() => void this.sync(project), this.debounceMs),
      );
    });
    watcher.on("error", () => {
      watcher.close();
      if (this.#watchers.get(project.id) !== watcher) return;
      this.#watchers.delete(project.id);
      if (!recursive) return;
      this.watch(project, false);
      void this.sync(project);
    });
    this.#watchers.set(project.id, watcher);
  }

  /** The parsed template behind a row, or why it cannot run. */
  template(definitionId: string): Loaded {
    const template = this.#loaded.get(definitionId);
    if (!template) {
      throw new HttpError(
        "TEMPLATE_NOT_LOADED",
        `Template ${definitionId} did not load; fix its file first`,
      );
    }
    return template;
  }

  async list(projectId?: string) {
    return this.db.workflowDefinition.findMany({
      where: projectId ? { project_id: projectId } : {},
      orderBy: [{ project_id: "asc" }, { name: "asc" }],
    });
  }

  async get(id: string) {
    const row = await this.db.workflowDefinition.findUnique({ where: { id } });
    if (!row) throw new HttpError("NOT_FOUND", `No workflow definition ${id}`);
    return row;
  }

  close(): void {
    this.agents.close();
    for (const watcher of this.#watchers.values()) watcher.close();
    for (const timer of this.#timers.values()) clearInterval(timer);
    this.#watchers.clear();
  }
}
