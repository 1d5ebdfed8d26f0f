import type { UsageTotals } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { HttpError } from "../../HttpError.js";
import type { ProjectConfigs } from "../project/ProjectConfigs.js";

/** Tokens and dollars spent by agent steps (the API's own shape). */
export type { UsageTotals };

interface StepSpend {
  phase: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  cost_usd: number | null;
}

const empty = (): UsageTotals => ({
  agent_steps: 0,
  input_tokens: 0,
  output_tokens: 0,
  cached_tokens: 0,
  cost_usd: 0,
});

function add(totals: UsageTotals, step: StepSpend): UsageTotals {
  totals.agent_steps += 1;
  totals.input_tokens += step.input_tokens ?? 0;
  totals.output_tokens += step.output_tokens ?? 0;
  totals.cached_tokens += step.cached_tokens ?? 0;
  totals.cost_usd += step.cost_usd ?? 0;
  return totals;
}

/** The totals kept under `key`, created at zero on first use. */
function bucket(totals: Record<string, UsageTotals>, key: string): UsageTotals {
  let found = totals[key];
  if (!found) {
    found = empty();
    totals[key] = found;
  }
  return found;
}

/** How a pause for the project budget starts its reason (the run's budget says "Budget reached"). */
export const PROJECT_BUDGET_REACHED = "Project budget reached";
/** How a pause starts its reason while `.agent/phaseboard.yaml` is refused. */
export const PROJECT_BUDGET_UNKNOWN = "Project budget unknown";

const spentOnly = {
  OR: [{ input_tokens: { not: null } }, { cost_usd: { not: null } }],
};

/**
 * What runs cost, from the usage each agent step recorded: per step, phase and run (a
 * run's total includes its child runs), per board column and project — and whether a run
 * has reached its budget.
 */
export class UsageService {
  constructor(
    private readonly db: DbClient,
    /** Each project's `.agent/phaseboard.yaml`, for the project budget. */
    private readonly configs?: ProjectConfigs,
  ) {}

  /** What every run of the project ever spent, archived runs too (one aggregate query). */
  async lifetime(projectId: string): Promise<UsageTotals> {
    const sums = await this.db.workflowRunStep.aggregate({
      where: { run: { project_id: projectId }, ...spentOnly },
      _count: { _all: true },
      _sum: { input_tokens: true, output_tokens: true, cached_tokens: true, cost_usd: true },
    });
    return {
      agent_steps: sums._count._all,
      input_tokens: sums._sum.input_tokens ?? 0,
      output_tokens: sums._sum.output_tokens ?? 0,
      cached_tokens: sums._sum.cached_tokens ?? 0,
      cost_usd: sums._sum.cost_usd ?? 0,
    };
  }

  /** The project budget from `.agent/phaseboard.yaml` (none while the file is refused). */
  projectBudget(projectPath: string): { usd?: number; tokens?: number } | undefined {
    return this.configs?.get(projectPath).config?.budget;
  }

  /** The run and every run below it (child runs, their children…). */
  async #family(runId: string): Promise<string[]> {
    const ids = [runId];
    for (let i = 0; i < ids.length && ids.length < 10_000; i++) {
      const children = await this.db.workflowRun.findMany({
        where: { parent_run_id: ids[i] },
        select: { id: true },
      });
      ids.push(...children.map((child) => child.id));
    }
    return ids;
  }

  async run(runId: string) {
    const run = await this.db.workflowRun.findUnique({ where: { id: runId } });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    const family = await this.#family(runId);
    const steps = await this.db.workflowRunStep.findMany({
      where: { workflow_run_id: { in: family }, ...spentOnly },
      orderBy: [{ started_at: "asc" }],
    });
    const total = empty();
    const byPhase: Record<string, UsageTotals> = {};
    for (const step of steps) {
      add(total, step);
      if (step.workflow_run_id === runId) add(bucket(byPhase, step.phase), step);
    }
    return {
      execution_id: runId,
      budget: (run.budget as { usd?: number; tokens?: number } | null) ?? null,
      total,
      by_phase: byPhase,
      steps: steps.map((step) => ({
        step_id: step.id,
        execution_id: step.workflow_run_id,
        step_key: step.step_id,
        name: step.name,
        phase: step.phase,
        model: step.model,
        input_tokens: step.input_tokens ?? 0,
        output_tokens: step.output_tokens ?? 0,
        cached_tokens: step.cached_tokens ?? 0,
        cost_usd: step.cost_usd ?? 0,
      })),
    };
  }

  /** Per board column (Queued, each phase, Done) and in all, for a project's runs. */
  async project(projectId: string, definitionId?: string) {
    const project = await this.db.project.findUnique({ where: { id: projectId } });
    if (!project) throw new HttpError("NOT_FOUND", `No project ${projectId}`);
    const runs = await this.db.workflowRun.findMany({
      where: {
        project_id: projectId,
        archived_at: null,
        ...(definitionId && { workflow_definition_id: definitionId }),
      },
      select: { id: true, status: true, current_phase: true, started_at: true },
    });
    const columnOf = new Map(
      runs.map((run) => [
        run.id,
        run.status === "completed"
          ? "__done"
          : run.status === "pending" && !run.started_at
            ? "__queued"
            : `phase:${run.current_phase ?? ""}`,
      ]),
    );
    const steps = await this.db.workflowRunStep.findMany({
      where: { workflow_run_id: { in: runs.map((run) => run.id) }, ...spentOnly },
      select: {
        workflow_run_id: true,
        phase: true,
        input_tokens: true,
        output_tokens: true,
        cached_tokens: true,
        cost_usd: true,
      },
    });
    const total = empty();
    const byColumn: Record<string, UsageTotals> = {};
    for (const step of steps) {
      add(total, step);
      const column = columnOf.get(step.workflow_run_id) ?? "__done";
      add(bucket(byColumn, column), step);
    }
    return {
      project_id: projectId,
      total,
      by_column: byColumn,
      lifetime: await this.lifetime(projectId),
      budget: this.projectBudget(project.path) ?? null,
    };
  }

  /**
   * Why the run must pause before its next agent step, or undefined: its budget (dollars,
   * or input + output tokens) is used up, counting its child runs.
   */
  async budgetExceeded(runId: string): Promise<string | undefined> {
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      include: { project: { select: { path: true } } },
    });
    if (!run) return undefined;
    const budget = run.budget as { usd?: number; tokens?: number } | null;
    if (budget) {
      const { total } = await this.run(runId);
      if (budget.usd !== undefined && total.cost_usd >= budget.usd) {
        return `Budget reached: spent $${total.cost_usd.toFixed(2)} of $${budget.usd.toFixed(2)}; raise the budget to go on`;
      }
      const tokens = total.input_tokens + total.output_tokens;
      if (budget.tokens !== undefined && tokens >= budget.tokens) {
        return `Budget reached: used ${tokens} of ${budget.tokens} tokens; raise the budget to go on`;
      }
    }
    const refused = this.configs?.get(run.project.path).error;
    if (refused) {
      // A typo must not lift the cap: no agent step runs until the file is fixed.
      return `${PROJECT_BUDGET_UNKNOWN}: ${refused.message}; fix .agent/phaseboard.yaml to go on`;
    }
    const projectBudget = this.projectBudget(run.project.path);
    if (projectBudget) {
      const total = await this.lifetime(run.project_id);
      if (projectBudget.usd !== undefined && total.cost_usd >= projectBudget.usd) {
        return `${PROJECT_BUDGET_REACHED}: the project's runs spent $${total.cost_usd.toFixed(2)} of $${projectBudget.usd.toFixed(2)}; raise budget.usd in .agent/phaseboard.yaml to go on`;
      }
      const tokens = total.input_tokens + total.output_tokens;
      if (projectBudget.tokens !== undefined && tokens >= projectBudget.tokens) {
        return `${PROJECT_BUDGET_REACHED}: the project's runs used ${tokens} of ${projectBudget.tokens} tokens; raise budget.tokens in .agent/phaseboard.yaml to go on`;
      }
    }
    return undefined;
  }
}
