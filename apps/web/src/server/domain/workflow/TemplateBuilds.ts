import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DbClient, Prisma } from "@phaseboard/db";
import { registerProject } from "../project/registerProject.js";
import type { DefinitionCatalog } from "./DefinitionCatalog.js";
import type { RunService } from "./RunService.js";

/** Phaseboard's own templates: the Build Workflow ships among them. */
const shippedDefinitions = fileURLToPath(
  new URL("../../../../../../.agent/workflows/definitions/", import.meta.url),
);
const BUILD_WORKFLOW_FILE = "build-workflow.yaml";
const cliBin = fileURLToPath(new URL("../../../../../cli/bin/phaseboard.js", import.meta.url));

/** The System project's folder under `$PHASEBOARD_HOME`. */
export function systemProjectDir(home: string): string {
  return join(home, "system");
}

/** What the Templates page shows of a template's newest build. */
export interface LastBuild {
  run_id: string;
  status: string;
  finished_at: Date | null;
}

/**
 * The system uses itself (seed 000): every template that is added or changed is checked
 * by a run of the Build Workflow — parse, validate, type-check, register, plan, report —
 * on the System board, a project of its own under `$PHASEBOARD_HOME/system`. A template is
 * built once per version of its file (the run's name carries the source hash), so a
 * restart does not build everything again.
 */
export class TemplateBuilds {
  #systemProjectId: string | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DbClient,
    private readonly catalog: DefinitionCatalog,
    private readonly runs: RunService,
    private readonly home: string,
  ) {}

  get systemProjectId(): string | undefined {
    return this.#systemProjectId;
  }

  /**
   * Registers the System project with the shipped Build Workflow (refreshed when
   * Phaseboard's copy changed) and builds the templates of every project it syncs.
   */
  async start(): Promise<void> {
    const dir = systemProjectDir(this.home);
    const definitions = join(dir, ".agent", "workflows", "definitions");
    mkdirSync(definitions, { recursive: true });
    const shipped = join(shippedDefinitions, BUILD_WORKFLOW_FILE);
    const installed = join(definitions, BUILD_WORKFLOW_FILE);
    if (!existsSync(installed) || !readFileSync(installed).equals(readFileSync(shipped))) {
      copyFileSync(shipped, installed);
    }
    const project = await registerProject(this.db, dir, "System");
    this.#systemProjectId = project.id;
    await this.catalog.sync(project);
    this.catalog.watch(project);
    const build = (projectId: string) => {
      if (projectId === this.#systemProjectId) return;
      // One project at a time, so two syncs never start the same build twice.
      this.#queue = this.#queue.then(() => this.#buildChanged(projectId)).catch(() => undefined);
    };
    this.catalog.onSynced(build);
    // What changed while no server ran (or since the last build) is built now.
    for (const other of await this.db.project.findMany({ select: { id: true } })) build(other.id);
  }

  /** Waits for the builds queued so far to be created (tests, shutdown). */
  settled(): Promise<void> {
    return this.#queue;
  }

  async #buildChanged(projectId: string): Promise<void> {
    const systemId = this.#systemProjectId;
    if (!systemId) return;
    const [project, builder] = await Promise.all([
      this.db.project.findUnique({ where: { id: projectId } }),
      this.db.workflowDefinition.findFirst({
        where: {
          project_id: systemId,
          identifier: "build-workflow",
          error: { equals: Prisma.DbNull },
        },
      }),
    ]);
    if (!project || !builder) return;
    const definitions = await this.db.workflowDefinition.findMany({
      where: { project_id: projectId },
    });
    for (const definition of definitions) {
      const error = definition.error as { code?: string } | null;
      if (error?.code === "TEMPLATE_REMOVED" || !definition.source_hash) continue;
      const name = `Build ${basename(definition.path)} @ ${definition.source_hash.slice(0, 7)}`;
      const file = join(project.path, definition.path);
      const earlier = await this.db.workflowRun.findMany({
        where: { project_id: systemId, name },
        select: { args: true },
      });
      if (earlier.some((run) => (run.args as { file?: string } | null)?.file === file)) continue;
      await this.runs.create({
        project_id: systemId,
        workflow_definition_id: builder.id,
        name,
        args: {
          file,
          project: project.path,
          definitionId: definition.id,
          phaseboard: `${process.execPath} ${cliBin}`,
        },
      });
    }
  }

  /** The newest build of each definition, for the Templates page. */
  async lastBuilds(): Promise<Map<string, LastBuild>> {
    const builds = new Map<string, LastBuild>();
    if (!this.#systemProjectId) return builds;
    const runs = await this.db.workflowRun.findMany({
      where: { project_id: this.#systemProjectId },
      orderBy: { created_at: "desc" },
      take: 1_000,
      select: { id: true, status: true, completed_at: true, args: true },
    });
    for (const run of runs) {
      const id = (run.args as { definitionId?: string } | null)?.definitionId;
      if (id && !builds.has(id)) {
        builds.set(id, { run_id: run.id, status: run.status, finished_at: run.completed_at });
      }
    }
    return builds;
  }
}
