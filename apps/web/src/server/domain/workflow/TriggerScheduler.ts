import { createHash, timingSafeEqual } from "node:crypto";
import type { Trigger } from "@phaseboard/contracts";
import { type DbClient, Prisma } from "@phaseboard/db";
import { Cron } from "croner";
import type { FastifyBaseLogger } from "fastify";
import { HttpError } from "../../HttpError.js";
import type { RunService } from "./RunService.js";

/**
 * Starts runs from templates' triggers: `cron` on schedule, `webhook` from
 * `POST /api/hooks/:definitionId` carrying the template's secret. Cron jobs follow the
 * catalog: re-scheduled whenever a project's templates are re-read.
 */
export class TriggerScheduler {
  readonly #jobs = new Map<string, Cron[]>();

  constructor(
    private readonly db: DbClient,
    private readonly runs: RunService,
    private readonly log: FastifyBaseLogger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Replaces the project's cron jobs with the ones its templates declare now. */
  async schedule(projectId: string): Promise<void> {
    for (const job of this.#jobs.get(projectId) ?? []) job.stop();
    const definitions = await this.db.workflowDefinition.findMany({
      where: { project_id: projectId, error: { equals: Prisma.DbNull } },
    });
    const jobs: Cron[] = [];
    for (const definition of definitions) {
      for (const trigger of (definition.triggers ?? []) as Trigger[]) {
        if (trigger.type !== "cron") continue;
        try {
          jobs.push(
            new Cron(
              trigger.schedule,
              { protect: true, ...(trigger.timezone && { timezone: trigger.timezone }) },
              async () => {
                await this.runs
                  .create({
                    project_id: projectId,
                    workflow_definition_id: definition.id,
                    args: trigger.args ?? {},
                  })
                  .catch((error: unknown) =>
                    this.log.error(
                      { err: error, definition: definition.identifier },
                      "cron trigger failed",
                    ),
                  );
              },
            ),
          );
        } catch (error) {
          this.log.warn({ err: error, definition: definition.identifier }, "invalid cron schedule");
        }
      }
    }
    this.#jobs.set(projectId, jobs);
  }

  /** The webhook: the secret must equal the value of the trigger's `secretEnv` variable. */
  async webhook(
    definitionId: string,
    presented: string | undefined,
    body: { args: Record<string, unknown>; name?: string | undefined },
  ) {
    const definition = await this.db.workflowDefinition.findUnique({ where: { id: definitionId } });
    const trigger = ((definition?.triggers ?? []) as Trigger[]).find(
      (candidate): candidate is Extract<Trigger, { type: "webhook" }> =>
        candidate.type === "webhook",
    );
    if (!definition || !trigger) {
      throw new HttpError("NOT_FOUND", `No template ${definitionId} with a webhook trigger`);
    }
    const secret = trigger.secretEnv ? this.env[trigger.secretEnv] : undefined;
    if (!secret) {
      throw new HttpError(
        "WEBHOOK_SECRET_MISSING",
        `The webhook of ${definition.identifier} has no secret: set ${trigger.secretEnv ?? "its secretEnv variable"}`,
      );
    }
    if (!presented || !timingSafeEqual(digest(presented), digest(secret))) {
      throw new HttpError(
        "UNAUTHORIZED",
        "The webhook secret is missing or wrong (X-Phaseboard-Secret)",
      );
    }
    return this.runs.create({
      project_id: definition.project_id,
      workflow_definition_id: definition.id,
      args: { ...trigger.args, ...body.args },
      ...(body.name && { name: body.name }),
    });
  }

  stop(): void {
    for (const jobs of this.#jobs.values()) for (const job of jobs) job.stop();
    this.#jobs.clear();
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
