import { compileCondition } from "../expressions/compileCondition.js";
import type { ExpressionScope } from "../expressions/compileExpression.js";
import { ExpressionError } from "../expressions/ExpressionError.js";
import { interpolate, interpolateDeep } from "../expressions/interpolate.js";
import type { WorkflowContext } from "../types/context.js";
import type { SerializedError, StepConfig, StepResult } from "../types/step.js";
import { RoutingLimitError } from "./RoutingLimitError.js";
import { YamlStepFailedError } from "./YamlStepFailedError.js";
import type { YamlLeafStep, YamlStep, YamlTemplate } from "./yamlTemplateSchema.js";

/** How often routing may enter one step when the template does not say (`maxVisits`). */
export const DEFAULT_MAX_VISITS = 10;

/** What `steps.<id>` holds in expressions: the latest visit of that step. */
export interface StepOutcome {
  status: "completed" | "failed" | "skipped";
  output: unknown;
  error?: SerializedError;
}

/** What a YAML run returns: every step's latest outcome. */
export interface YamlRunResult {
  steps: Record<string, StepOutcome>;
}

/** Marker a skip step returns, for an executor that runs the fn instead of honouring `skip`. */
interface SkipMarker {
  skipped: true;
  reason: string;
}

/**
 * Interprets a YAML template purely through the WorkflowContext API, so durability,
 * replay and memo keys come from the executor: a routing revisit calls `ctx.step` with
 * the same id again (the executor keys it `id#2`), a false `if` is a `skip` step, and
 * steps scheduled through `ctx.parallel` (needs, parallel groups, foreach) are keyed under
 * their item by the executor: `lint/lint`, `build[0]/build`.
 */
export function createYamlExecute(
  template: YamlTemplate,
): (ctx: WorkflowContext) => Promise<YamlRunResult> {
  return async (ctx) => {
    const interpreter = new YamlInterpreter(ctx);
    let failure: unknown;
    try {
      await interpreter.runList(template.steps, template.concurrency, interpreter.scope());
    } catch (error) {
      failure = error;
    }
    if (template.finally) {
      const run =
        failure === undefined
          ? { status: "completed" }
          : { status: isCancellation(failure) ? "cancelled" : "failed", error: messageOf(failure) };
      try {
        await interpreter.runList(template.finally, undefined, { ...interpreter.scope(), run });
      } catch (error) {
        // The original failure explains the run better than a cleanup step that failed after it.
        if (failure === undefined) failure = error;
      }
    }
    if (failure !== undefined) throw failure;
    return { steps: interpreter.outcomes };
  };
}

class YamlInterpreter {
  readonly outcomes: Record<string, StepOutcome> = {};
  private readonly visits = new Map<string, number>();
  /** Steps skipped because something they need failed. */
  private readonly blocked = new Set<string>();

  constructor(private readonly ctx: WorkflowContext) {}

  scope(): ExpressionScope {
    return { args: this.ctx.args, steps: this.outcomes, after: this.ctx.prerequisites };
  }

  /** A list runs in order with routing, or — when any step has `needs` — as a graph. */
  async runList(steps: YamlStep[], concurrency: number | undefined, scope: ExpressionScope) {
    if (steps.some((step) => step.needs !== undefined))
      await this.runGraph(steps, concurrency, scope);
    else await this.runSequence(steps, scope);
  }

  private async runSequence(steps: YamlStep[], scope: ExpressionScope) {
    const indexOf = (id: string) => steps.findIndex((step) => step.id === id);
    let index = 0;
    let routedBy: string | undefined;
    while (index < steps.length) {
      const step = steps[index] as YamlStep;
      const visits = (this.visits.get(step.id) ?? 0) + 1;
      const maxVisits = step.maxVisits ?? DEFAULT_MAX_VISITS;
      if (visits > maxVisits) throw new RoutingLimitError(step.id, maxVisits, routedBy);
      this.visits.set(step.id, visits);

      const outcome = await this.runStep(step, scope);
      if (outcome.status === "failed") {
        if (step.onFailure) {
          routedBy = `${step.id}.onFailure`;
          index = indexOf(step.onFailure);
          continue;
        }
        if (!step.continueOnError) {
          throw new YamlStepFailedError(step.id, outcome.error?.message ?? "failed", outcome.error);
        }
      } else if (outcome.status === "completed" && step.onSuccess !== undefined) {
        const target = this.route(step, scope);
        if (target !== undefined) {
          routedBy = `${step.id}.onSuccess`;
          index = indexOf(target);
          continue;
        }
      }
      routedBy = undefined;
      index += 1;
    }
  }

  private route(step: YamlStep, scope: ExpressionScope): string | undefined {
    const route = step.onSuccess;
    if (route === undefined || typeof route === "string") return route;
    const condition = route.if ?? route.condition ?? "false";
    return this.evaluate(step, "onSuccess.if", () =>
      compileCondition(condition).evaluate(this.withSteps(scope)),
    )
      ? route.then
      : route.else;
  }

  private async runGraph(
    steps: YamlStep[],
    concurrency: number | undefined,
    scope: ExpressionScope,
  ) {
    await this.ctx.parallel(
      steps,
      {
        ...(concurrency === undefined ? {} : { concurrency }),
        key: (step) => step.id,
        dependsOn: (step) => step.needs ?? [],
      },
      async (step) => {
        // A need skipped by its own `if` does not block: `if` gates one step, not the
        // steps after it. A need that failed (with continueOnError) does, and so does a
        // need that was itself blocked, so a failure stops everything downstream.
        const blocked = (step.needs ?? []).find((need) => {
          const outcome = this.outcomes[need];
          return outcome?.status === "failed" || this.blocked.has(need);
        });
        if (blocked !== undefined) {
          const why = this.blocked.has(blocked) ? "was skipped after a failure" : "failed";
          this.blocked.add(step.id);
          await this.skip(step, `needs "${blocked}", which ${why}`);
          return;
        }
        const outcome = await this.runStep(step, scope);
        if (outcome.status === "failed" && !step.continueOnError) {
          throw new YamlStepFailedError(step.id, outcome.error?.message ?? "failed", outcome.error);
        }
      },
    );
  }

  private async runStep(step: YamlStep, scope: ExpressionScope): Promise<StepOutcome> {
    if (step.if !== undefined) {
      const condition = step.if;
      const go = this.evaluate(step, "if", () =>
        compileCondition(condition).evaluate(this.withSteps(scope)),
      );
      if (go !== true) return this.skip(step, `if \`${condition}\` was ${JSON.stringify(go)}`);
    }
    let outcome: StepOutcome;
    if (step.type === "parallel") {
      try {
        await this.runList(step.parallel, step.concurrency, scope);
        outcome = { status: "completed", output: null };
      } catch (error) {
        if (!(error instanceof YamlStepFailedError)) throw error;
        outcome = { status: "failed", output: null, error: serialize(error) };
      }
    } else if (step.foreach !== undefined) {
      outcome = await this.runForeach(step, scope);
    } else {
      outcome = await this.runLeaf(step, step.id, scope);
    }
    this.outcomes[step.id] = outcome;
    return outcome;
  }

  private async runForeach(step: YamlLeafStep, scope: ExpressionScope): Promise<StepOutcome> {
    const source = step.foreach ?? "[]";
    const list = this.evaluate(step, "foreach", () =>
      compileCondition(source).evaluate(this.withSteps(scope)),
    );
    if (!Array.isArray(list)) {
      throw new ExpressionError(
        "EXPRESSION_EVALUATION",
        `step "${step.id}" foreach: \`${source}\` must yield a list, got ${JSON.stringify(list)}`,
        { expression: source },
      );
    }
    const variable = step.as ?? "item";
    const indices = list.map((_, index) => index);
    const outcomes = await this.ctx.parallel(
      indices,
      // The item key names the element's memoized step: the executor keys it `build[0]/build`.
      { concurrency: step.concurrency ?? 1, key: (index) => `${step.id}[${index}]` },
      (index) =>
        this.runLeaf(step, step.id, {
          ...scope,
          [variable]: list[index],
          index,
        }),
    );
    const failed = outcomes.find((outcome) => outcome.status === "failed");
    return {
      status: failed ? "failed" : "completed",
      output: outcomes.map((outcome) => outcome.output),
      ...(failed?.error ? { error: failed.error } : {}),
    };
  }

  private async runLeaf(
    step: YamlLeafStep,
    key: string,
    scope: ExpressionScope,
  ): Promise<StepOutcome> {
    const live = this.withSteps(scope);
    const text = (field: string, value: string) =>
      this.evaluate(step, field, () => interpolate(value, live));
    const env = (value: Record<string, string> | undefined) =>
      value === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(value).map(([name, v]) => [name, text(`env.${name}`, v)]),
          );
    const common = {
      name: step.name ?? step.id,
      phase: step.phase,
      ...("retry" in step && step.retry ? { retry: step.retry } : {}),
      ...("timeout" in step && step.timeout !== undefined ? { timeout: step.timeout } : {}),
      // The interpreter decides what a failure means (route, continue, or fail the run).
      continueOnError: true,
    };
    switch (step.type) {
      case "agent":
        return this.fromStepResult(
          await this.ctx.step(key, {
            ...common,
            type: "agent",
            agent: step.agent,
            prompt: text("prompt", step.prompt),
            ...(step.permission ? { permission: step.permission } : {}),
            ...(step.model ? { model: step.model } : {}),
            ...(step.cwd ? { cwd: text("cwd", step.cwd) } : {}),
            ...(step.env ? { env: env(step.env) } : {}),
            ...(step.board === false && { board: false }),
          } as StepConfig),
        );
      case "script": {
        const command =
          typeof step.command === "string"
            ? this.evaluate(step, "command", () =>
                interpolate(step.command as string, live, "shell"),
              )
            : step.command.map((part, i) => text(`command[${i}]`, part));
        return this.fromStepResult(
          await this.ctx.step(key, {
            ...common,
            type: "script",
            command,
            ...(step.cwd ? { cwd: text("cwd", step.cwd) } : {}),
            ...(step.env ? { env: env(step.env) } : {}),
          } as StepConfig),
        );
      }
      case "approval": {
        const decision = await this.ctx.approval(key, {
          message: text("message", step.message),
          phase: step.phase,
        });
        return decision.approved
          ? { status: "completed", output: decision }
          : {
              status: "failed",
              output: decision,
              error: {
                name: "ApprovalRejected",
                message: `approval "${key}" was rejected${decision.by ? ` by ${decision.by}` : ""}${decision.comment ? `: ${decision.comment}` : ""}`,
              },
            };
      }
      case "workflow": {
        const args = this.evaluate(step, "args", () =>
          interpolateDeep(step.args ?? {}, live),
        ) as Record<string, unknown>;
        const child = await this.ctx.run(text("workflow", step.workflow), args, {
          id: key,
          name: step.name ?? step.id,
          phase: step.phase,
          ...(step.workspace && { workspace: step.workspace }),
        });
        return child.status === "completed"
          ? { status: "completed", output: child.result ?? null }
          : {
              status: "failed",
              output: child.result ?? null,
              error: {
                name: "ChildRunFailed",
                message: `child run ${child.runId} ended ${child.status}`,
              },
            };
      }
      case "signal": {
        const payload = await this.ctx.waitForSignal(text("signal", step.signal), {
          phase: step.phase,
          ...(step.timeout !== undefined ? { timeout: step.timeout } : {}),
        });
        return { status: "completed", output: payload ?? null };
      }
      case "sleep":
        await this.ctx.sleep(key, step.duration);
        return { status: "completed", output: null };
      case "send-signal": {
        const payload = this.evaluate(step, "payload", () =>
          interpolateDeep(step.payload ?? null, live),
        );
        const sent = await this.ctx.sendSignal(
          text("to", step.to),
          text("signal", step.signal),
          payload,
          {
            id: key,
            phase: step.phase,
          },
        );
        return { status: "completed", output: sent };
      }
      case "template": {
        const file = text("file", step.file);
        const project = step.project === undefined ? undefined : text("project", step.project);
        return this.fromStepResult(
          await this.ctx.step(key, {
            ...common,
            type: "function",
            fn: async () => {
              // Loaded on use: the template loader imports this interpreter in turn.
              const { checkTemplateFile } = await import("../templates/checkTemplateFile.js");
              return checkTemplateFile(file, { check: step.check, project });
            },
          } as StepConfig),
        );
      }
      case "comment": {
        const body = text("text", step.text);
        // ctx.comment is replay-safe: a comment posted before a restart is not posted again.
        await this.ctx.comment(body, { type: step.author ?? "system" });
        return { status: "completed", output: { text: body } };
      }
    }
  }

  /** Records a skipped step through the executor, so it shows (and replays) as skipped. */
  private async skip(step: YamlStep, reason: string): Promise<StepOutcome> {
    const phase =
      step.phase ?? (step.type === "parallel" ? firstPhase(step.parallel) : undefined) ?? "";
    const result = await this.ctx.step<SkipMarker>(step.id, {
      type: "function",
      name: step.name ?? step.id,
      phase,
      skip: { reason },
      fn: () => ({ skipped: true, reason }),
    });
    const outcome: StepOutcome = { status: "skipped", output: null };
    if (result.status === "failed") outcome.status = "failed";
    this.outcomes[step.id] = outcome;
    return outcome;
  }

  private fromStepResult(result: StepResult): StepOutcome {
    if (result.status === "failed") {
      return {
        status: "failed",
        output: result.data ?? null,
        error: result.error ?? { name: "Error", message: "failed" },
      };
    }
    return { status: result.status, output: result.data ?? null };
  }

  // Expressions see the outcomes recorded so far, including steps that ran after the
  // scope object was built (a revisit reads the newest output).
  private withSteps(scope: ExpressionScope): ExpressionScope {
    return { ...scope, steps: this.outcomes };
  }

  /** Names the step and field in an expression error, e.g. `step "deploy" command: …`. */
  private evaluate<T>(step: YamlStep, field: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new ExpressionError(error.code, `step "${step.id}" ${field}: ${error.message}`, {
          expression: error.expression,
          ...(error.offset === undefined ? {} : { offset: error.offset }),
          ...(error.key === undefined ? {} : { key: error.key }),
          cause: error,
        });
      }
      throw error;
    }
  }
}

function firstPhase(steps: YamlStep[]): string | undefined {
  for (const step of steps) {
    const phase = step.phase ?? (step.type === "parallel" ? firstPhase(step.parallel) : undefined);
    if (phase !== undefined) return phase;
  }
  return undefined;
}

function isCancellation(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return (
    (typeof name === "string" && /cancel/i.test(name)) ||
    (typeof code === "string" && /CANCEL/.test(code))
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function serialize(error: Error & { code?: string }): SerializedError {
  return { name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) };
}
