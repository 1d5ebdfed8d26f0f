import type { CreateProjectBody } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { HttpError } from "../../HttpError.js";
import type { GitWorkspaces } from "../workspace/GitWorkspaces.js";
import type { ProjectConfigs } from "./ProjectConfigs.js";
import { resolveProjectPath } from "./resolveProjectPath.js";

/** Projects are repository paths; creating one checks the folder exists. */
export class ProjectService {
  constructor(
    private readonly db: DbClient,
    private readonly workspaces?: GitWorkspaces,
    private readonly configs?: ProjectConfigs,
  ) {}

  list() {
    return this.db.project.findMany({ orderBy: { created_at: "asc" } });
  }

  /**
   * The projects with, for each, why its runs work in place (see GitWorkspaces) and its
   * `.agent/phaseboard.yaml` as read, or why it was refused.
   */
  async listWithWorkspaces() {
    const projects = await this.list();
    return Promise.all(projects.map((project) => this.#describe(project)));
  }

  /** One project as the board shows it (see listWithWorkspaces). */
  async getWithWorkspace(id: string) {
    return this.#describe(await this.get(id));
  }

  async #describe<P extends { path: string }>(project: P) {
    const { config, error } = this.configs?.get(project.path) ?? { config: null, error: null };
    return {
      ...project,
      runs_in_place: this.workspaces
        ? ((await this.workspaces.inPlaceReason(project.path)) ?? null)
        : "worktrees are off",
      config,
      config_error: error,
    };
  }

  async get(id: string) {
    const project = await this.db.project.findUnique({ where: { id } });
    if (!project) throw new HttpError("NOT_FOUND", `No project ${id}`);
    return project;
  }

  /** Registers the repository at `path` (idempotent: the same path answers the same row). */
  async create(body: CreateProjectBody) {
    const path = await resolveProjectPath(body.path);
    return this.db.project.upsert({
      where: { path },
      create: { name: body.name, path },
      update: {},
    });
  }
}
